import { randomBytes } from "node:crypto";
import type { JsonObject } from "./assistant";
import type { CallSession } from "./call-session";
import type { Deliverer } from "./delivery";
import type { ResolvedConfig } from "./config";
import { HttpError } from "./http";
import { isPlainObject } from "./merge";
import { serverEnvelope, toolCallsFields } from "./server-messages";

export type TriggerRequest = {
  type: string;
  /** tool-calls / function-call: the tool's name (default: the assistant's first tool). */
  tool?: string;
  arguments?: JsonObject;
  /** Send even if the effective serverMessages does not list the type. */
  force?: boolean;
};

export type TriggerResult = {
  type: string;
  subscribed: boolean;
  delivered: boolean;
  httpStatus?: number;
  body?: unknown;
  error?: string;
  durationMs?: number;
};

export const TRIGGER_TYPES = [
  "tool-calls",
  "function-call",
  "hang",
  "user-interrupted",
  "speech-update",
  "transcript",
  "conversation-update",
  "status-update",
  "model-output",
  "transfer-destination-request",
  "end-of-call-report",
];

/** One server message of `type`, now, outside the call's ordered queue; returns the receiver's answer. */
export async function triggerServerMessage(
  session: CallSession,
  request: TriggerRequest,
  config: ResolvedConfig,
  deliverer: Deliverer,
): Promise<TriggerResult> {
  const toolCall =
    request.type === "tool-calls" || request.type === "function-call" ? pickToolCall(session, request) : undefined;
  const fields = fieldsFor(session, request, toolCall, config);
  const subscribed = session.serverSubscribed(request.type, fields);
  if (!subscribed && !request.force)
    return {
      type: request.type,
      subscribed,
      delivered: false,
      error: "type is not in the call's serverMessages (use force)",
    };
  if (toolCall && request.type === "tool-calls") session.transcript.addToolCalls([toolCall], Date.now());
  const result = await deliverer.deliverNow(
    session.id,
    session.target,
    serverEnvelope(request.type, fields, session.messageContext()),
  );
  const body = parseBody(result.responseBody);
  if (toolCall && request.type === "tool-calls" && result.outcome === "delivered")
    recordToolResults(session, toolCall, body);
  return {
    type: request.type,
    subscribed,
    delivered: result.outcome === "delivered",
    ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(result.error ? { error: result.error } : {}),
    durationMs: result.durationMs,
  };
}

type ToolCall = { id: string; name: string; tool: JsonObject; arguments: JsonObject };

function pickToolCall(session: CallSession, request: TriggerRequest): ToolCall {
  const tools = session.settings.tools;
  const name = request.tool ?? String((tools[0]?.function as JsonObject | undefined)?.name ?? "getRemainingCredits");
  const tool = tools.find((candidate) => (candidate.function as JsonObject | undefined)?.name === name) ?? {
    type: "function",
    function: { name, description: "", parameters: { type: "object", properties: {} } },
  };
  return { id: `call_${randomBytes(12).toString("base64url")}`, name, tool, arguments: request.arguments ?? {} };
}

function fieldsFor(
  session: CallSession,
  request: TriggerRequest,
  toolCall: ToolCall | undefined,
  config: ResolvedConfig,
): JsonObject {
  const { messages, messagesOpenAIFormatted } = session.transcript.liveArtifact();
  switch (request.type) {
    case "tool-calls":
      return toolCallsFields(
        { id: toolCall!.id, tool: toolCall!.tool, arguments: toolCall!.arguments },
        config.toolArgumentsFormat,
      );
    case "function-call":
      return { functionCall: { name: toolCall!.name, parameters: toolCall!.arguments } };
    case "hang":
    case "transfer-destination-request":
      return {};
    case "user-interrupted":
      return { turnId: `turn_${randomBytes(6).toString("hex")}` };
    case "speech-update":
      return { status: "started", role: "assistant", turn: 0 };
    case "transcript":
      return { role: "user", transcriptType: "final", transcript: "This is a triggered transcript." };
    case "model-output":
      return { output: "This is triggered model output." };
    case "conversation-update":
      return { messages, messagesOpenAIFormatted };
    case "status-update":
      return session.progress.endedReason
        ? { status: session.status, endedReason: session.progress.endedReason }
        : { status: session.status };
    case "end-of-call-report":
      if (!session.reportFields) throw new HttpError(409, "The call has no end-of-call-report yet.");
      return session.reportFields;
    default:
      throw new HttpError(
        400,
        `Cannot trigger ${JSON.stringify(request.type)}; supported: ${TRIGGER_TYPES.join(", ")}`,
      );
  }
}

/** A `{"results":[{toolCallId, result|error}]}` reply becomes tool_call_result messages (§1.5). */
function recordToolResults(session: CallSession, toolCall: ToolCall, body: unknown): void {
  const results = isPlainObject(body) && Array.isArray(body.results) ? body.results : [];
  for (const item of results) {
    if (!isPlainObject(item) || item.toolCallId !== toolCall.id) continue;
    const text =
      typeof item.result === "string"
        ? item.result
        : typeof item.error === "string"
          ? item.error
          : JSON.stringify(item.result ?? null);
    session.transcript.addToolResult(toolCall.id, toolCall.name, text, Date.now());
  }
  if (session.status !== "ended") session.emitConversationUpdate();
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
