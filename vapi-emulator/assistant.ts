import type { AssistantConfig, BackoffPlan, ResolvedConfig, ServerConfig, WebhookAuth } from "./config";
import { DEFAULT_CLIENT_MESSAGES, DEFAULT_SERVER_MESSAGES } from "./config";
import { clone, deepMerge, isPlainObject } from "./merge";

export type JsonObject = Record<string, unknown>;

/** Where and how server messages of one call are delivered. */
export type DeliveryTarget = {
  /** Usually one; several are taken in turn, message by message, as a load balancer would. */
  urls: string[];
  timeoutSeconds: number;
  auth: WebhookAuth;
  headers: Record<string, string>;
  backoffPlan?: BackoffPlan;
};

/** The settings the emulator acts on, read from the effective (merged) assistant. */
export type EffectiveSettings = {
  serverMessages: string[];
  clientMessages: string[];
  maxDurationSeconds: number;
  controlEnabled: boolean;
  listenEnabled: boolean;
  controlAuthenticationEnabled: boolean;
  firstMessage: string;
  tools: JsonObject[];
};

/** A saved assistant as Vapi stores it and puts it in `message.assistant`. The webhook credential is not part of it. */
export function savedAssistantView(assistant: AssistantConfig, config: ResolvedConfig, createdAt: string): JsonObject {
  const view: JsonObject = {
    id: assistant.id,
    orgId: config.orgId,
    name: assistant.name,
    model: {
      ...assistant.model,
      messages: [{ role: "system", content: assistant.systemPrompt }],
      tools: assistant.tools.map((tool) => ({
        type: "function",
        function: { name: tool.name, description: tool.description, parameters: tool.parameters },
        ...(tool.server ? { server: tool.server } : {}),
      })),
    },
    voice: assistant.voice,
    transcriber: assistant.transcriber,
    firstMessage: assistant.firstMessage,
    serverMessages: assistant.serverMessages,
    clientMessages: assistant.clientMessages,
    maxDurationSeconds: assistant.maxDurationSeconds,
    monitorPlan: assistant.monitorPlan,
    ...(assistant.metadata ? { metadata: assistant.metadata } : {}),
    ...(assistant.server ? { server: publicServerView(assistant.server) } : {}),
    createdAt,
    updatedAt: createdAt,
  };
  return clone(view);
}

function publicServerView(server: ServerConfig): JsonObject {
  return {
    url: firstUrl(server.url),
    ...(server.credentialId ? { credentialId: server.credentialId } : {}),
    timeoutSeconds: server.timeoutSeconds,
    ...(server.headers ? { headers: server.headers } : {}),
    ...(server.backoffPlan ? { backoffPlan: server.backoffPlan } : {}),
  };
}

/**
 * Overrides merge deeply over the assistant (arrays replace). `variableValues` is not an assistant
 * field: it fills `{{name}}` placeholders in the first message and prompts.
 */
export function effectiveAssistant(base: JsonObject, overrides: JsonObject | undefined): JsonObject {
  const { variableValues, ...rest } = overrides ?? {};
  const merged = deepMerge(clone(base), clone(rest));
  if (isPlainObject(variableValues)) return fillVariables(merged, variableValues) as JsonObject;
  return merged;
}

function fillVariables(value: unknown, variables: JsonObject): unknown {
  if (typeof value === "string") {
    return value.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (match, name: string) =>
      name in variables ? String(variables[name]) : match,
    );
  }
  if (Array.isArray(value)) return value.map((item) => fillVariables(item, variables));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillVariables(item, variables)]));
  }
  return value;
}

export function effectiveSettings(assistant: JsonObject): EffectiveSettings {
  const monitorPlan = isPlainObject(assistant.monitorPlan) ? assistant.monitorPlan : {};
  const model = isPlainObject(assistant.model) ? assistant.model : {};
  return {
    serverMessages: stringArray(assistant.serverMessages) ?? DEFAULT_SERVER_MESSAGES,
    clientMessages: stringArray(assistant.clientMessages) ?? DEFAULT_CLIENT_MESSAGES,
    maxDurationSeconds: typeof assistant.maxDurationSeconds === "number" ? assistant.maxDurationSeconds : 600,
    controlEnabled: monitorPlan.controlEnabled !== false,
    listenEnabled: monitorPlan.listenEnabled !== false,
    controlAuthenticationEnabled: monitorPlan.controlAuthenticationEnabled === true,
    firstMessage: typeof assistant.firstMessage === "string" ? assistant.firstMessage : "",
    tools: Array.isArray(model.tools) ? model.tools.filter(isPlainObject) : [],
  };
}

/**
 * The saved assistant's server (with its credential) merged field by field with an override's
 * `server`; a legacy inline `secret` in the override becomes X-Vapi-Secret auth.
 */
export function deliveryTarget(
  savedServer: ServerConfig | undefined,
  overrideServer: unknown,
  orgServer: ServerConfig | undefined,
): DeliveryTarget | undefined {
  const base = savedServer ?? orgServer;
  const over = isPlainObject(overrideServer) ? overrideServer : {};
  const baseUrls = base ? [base.url].flat() : [];
  // The effective assistant shows the saved server's first URL: naming one of the saved URLs keeps them all.
  const urls = typeof over.url === "string" && !baseUrls.includes(over.url) ? [over.url] : baseUrls;
  if (!urls.length) return undefined;
  const auth: WebhookAuth =
    typeof over.secret === "string" ? { type: "secret", secret: over.secret } : (base?.auth ?? { type: "none" });
  return {
    urls,
    timeoutSeconds: typeof over.timeoutSeconds === "number" ? over.timeoutSeconds : (base?.timeoutSeconds ?? 20),
    auth,
    headers: { ...(base?.headers ?? {}), ...stringRecord(over.headers) },
    backoffPlan: isPlainObject(over.backoffPlan) ? backoffFrom(over.backoffPlan) : base?.backoffPlan,
  };
}

const firstUrl = (url: string | string[]) => (typeof url === "string" ? url : url[0]);

function backoffFrom(plan: JsonObject): BackoffPlan {
  return {
    type: plan.type === "exponential" ? "exponential" : "fixed",
    maxRetries: typeof plan.maxRetries === "number" ? plan.maxRetries : 0,
    baseDelaySeconds: typeof plan.baseDelaySeconds === "number" ? plan.baseDelaySeconds : 1,
    excludedStatusCodes: Array.isArray(plan.excludedStatusCodes)
      ? plan.excludedStatusCodes.filter((code): code is number => typeof code === "number")
      : undefined,
  };
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}
