import { z } from "zod";
import type { JsonObject } from "./assistant";
import { type AssistantConfig, assistantSchema, type WebhookAuth } from "./config";
import { HttpError } from "./http";
import { isPlainObject } from "./merge";

const REPLACED_AS_IS = [
  "name",
  "firstMessage",
  "serverMessages",
  "clientMessages",
  "maxDurationSeconds",
  "voice",
  "transcriber",
  "metadata",
];

/**
 * PATCH /assistant/:id: each top-level field sent replaces the saved one; fields the emulator does
 * not model are ignored. `authFor` turns `server.credentialId` into the signing deliveries use.
 */
export function applyAssistantUpdate(
  current: AssistantConfig,
  body: JsonObject,
  authFor: (credentialId: string) => WebhookAuth,
): AssistantConfig {
  const next: JsonObject = { ...current };
  for (const field of REPLACED_AS_IS) if (body[field] !== undefined) next[field] = body[field];
  if (body.monitorPlan !== undefined) next.monitorPlan = body.monitorPlan;
  if (body.model !== undefined) Object.assign(next, modelFields(body.model));
  if (body.server !== undefined) next.server = serverConfig(body.server, authFor);
  const parsed = assistantSchema.safeParse(next);
  if (!parsed.success) {
    throw new HttpError(
      400,
      parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** Vapi keeps the prompt and tools inside `model`; the emulator's config keeps them beside it. */
function modelFields(model: unknown): JsonObject {
  if (!isPlainObject(model)) throw new HttpError(400, ["model must be an object"]);
  const { messages, tools, ...rest } = model;
  const fields: JsonObject = { model: rest };
  const system = Array.isArray(messages)
    ? messages.find((message) => isPlainObject(message) && message.role === "system")
    : undefined;
  if (isPlainObject(system) && typeof system.content === "string") fields.systemPrompt = system.content;
  if (Array.isArray(tools)) fields.tools = tools.filter(isFunctionTool).map(toolConfig);
  return fields;
}

const functionToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
  server: z.object({ url: z.string(), credentialId: z.string().optional() }).optional(),
});

function isFunctionTool(tool: unknown): tool is z.infer<typeof functionToolSchema> {
  return functionToolSchema.safeParse(tool).success;
}

function toolConfig(tool: z.infer<typeof functionToolSchema>): JsonObject {
  return {
    name: tool.function.name,
    description: tool.function.description,
    parameters: tool.function.parameters,
    ...(tool.server
      ? {
          server: {
            url: tool.server.url,
            ...(tool.server.credentialId ? { credentialId: tool.server.credentialId } : {}),
          },
        }
      : {}),
  };
}

function serverConfig(server: unknown, authFor: (credentialId: string) => WebhookAuth): JsonObject {
  if (!isPlainObject(server)) throw new HttpError(400, ["server must be an object"]);
  const { credentialId, secret, url, timeoutSeconds, headers, backoffPlan } = server;
  const auth: WebhookAuth =
    typeof credentialId === "string"
      ? authFor(credentialId)
      : typeof secret === "string"
        ? { type: "secret", secret }
        : { type: "none" };
  return {
    url,
    auth,
    ...(typeof credentialId === "string" ? { credentialId } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(headers !== undefined ? { headers } : {}),
    ...(backoffPlan !== undefined ? { backoffPlan } : {}),
  };
}
