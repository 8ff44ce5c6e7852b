import type { JsonObject } from "./assistant";

export type MessageContext = { call: JsonObject; assistant: JsonObject; artifact: JsonObject };

/** `{"message": {timestamp, type, …fields, artifact, call, assistant}}` (§1.1). */
export function serverEnvelope(type: string, fields: JsonObject, context: MessageContext, now = Date.now()) {
  const message: JsonObject = { timestamp: now, type, ...fields };
  if (message.artifact === undefined) message.artifact = context.artifact;
  message.call = context.call;
  message.assistant = context.assistant;
  return { message };
}

/** What the browser SDK's `message` event receives: the type-specific fields only. */
export function clientMessage(type: string, fields: JsonObject): JsonObject {
  return { type, ...fields };
}

/** `transcript[transcriptType="final"]` subscribes to final transcripts only (§2.1). */
export function subscribed(list: string[], type: string, fields: JsonObject): boolean {
  if (list.includes(type)) return true;
  return (
    type === "transcript" && fields.transcriptType === "final" && list.includes('transcript[transcriptType="final"]')
  );
}

export type ToolCallSpec = { id: string; tool: JsonObject; arguments: JsonObject };

export function toolCallsFields(spec: ToolCallSpec, argumentsFormat: "object" | "string"): JsonObject {
  const fn = (spec.tool.function ?? {}) as JsonObject;
  const toolCall = {
    id: spec.id,
    type: "function",
    function: {
      name: fn.name,
      arguments: argumentsFormat === "string" ? JSON.stringify(spec.arguments) : spec.arguments,
    },
  };
  return {
    toolCallList: [toolCall],
    toolWithToolCallList: [
      {
        type: "function",
        function: fn,
        ...(spec.tool.server ? { server: spec.tool.server } : {}),
        async: false,
        messages: [],
        toolCall,
      },
    ],
    toolCalls: [toolCall],
  };
}
