import { readFileSync } from "node:fs";
import { z } from "zod";
import { deepMerge, isPlainObject } from "./merge";

// Vapi's defaults for AssistantOverrides.serverMessages / clientMessages (vapi-protocol.md §2.1).
export const DEFAULT_SERVER_MESSAGES = [
  "conversation-update",
  "end-of-call-report",
  "function-call",
  "hang",
  "speech-update",
  "status-update",
  "tool-calls",
  "transfer-destination-request",
  "handoff-destination-request",
  "user-interrupted",
  "assistant.started",
];

export const DEFAULT_CLIENT_MESSAGES = [
  "conversation-update",
  "function-call",
  "hang",
  "model-output",
  "speech-update",
  "status-update",
  "transfer-update",
  "transcript",
  "tool-calls",
  "user-interrupted",
  "voice-input",
  "workflow.node.started",
  "assistant.started",
];

const DEFAULT_CONVERSATION = [
  { role: "user", text: "Hi, I'd like to work on my presentation skills.", pauseMs: 800 },
  { role: "assistant", text: "Great goal. What feels hardest when you present?", pauseMs: 800 },
  { role: "user", text: "I rush when I get nervous.", pauseMs: 800 },
  { role: "assistant", text: "Let's practise pausing after each key point. Try your opening line.", pauseMs: 1500 },
] as const;

const backoffPlanSchema = z.object({
  type: z.enum(["fixed", "exponential"]).default("fixed"),
  maxRetries: z.number().int().min(0).max(10).default(0),
  baseDelaySeconds: z.number().min(0).max(10).default(1),
  excludedStatusCodes: z.array(z.number().int()).optional(),
});

/** Stands in for Vapi's `server.credentialId` / legacy `secret`: how deliveries are authenticated. */
const webhookAuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }),
  z.object({ type: z.literal("secret"), secret: z.string().min(1) }),
  z.object({ type: z.literal("bearer"), token: z.string().min(1) }),
  z.object({
    type: z.literal("hmac"),
    secret: z.string().min(1),
    timestampUnit: z.enum(["ms", "s"]).default("ms"),
  }),
]);

const serverSchema = z.object({
  /**
   * One URL, as at Vapi. Or several: the emulator's stand-in for a load balancer in front of
   * several app instances. Each delivery goes to the next URL in turn (Vapi's views show the first).
   */
  url: z.union([z.string().url(), z.array(z.string().url()).min(1)]),
  /** Set when the server was saved through PATCH /assistant with a credential; `auth` is then that credential's. */
  credentialId: z.string().optional(),
  timeoutSeconds: z.number().min(1).max(300).default(20),
  auth: webhookAuthSchema.default({ type: "none" }),
  headers: z.record(z.string(), z.string()).optional(),
  backoffPlan: backoffPlanSchema.optional(),
});

const toolSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(""),
  parameters: z.record(z.string(), z.unknown()).default({ type: "object", properties: {} }),
  server: z.object({ url: z.string().url(), credentialId: z.string().optional() }).optional(),
});

const monitorPlanSchema = z.object({
  listenEnabled: z.boolean().default(true),
  controlEnabled: z.boolean().default(true),
  controlAuthenticationEnabled: z.boolean().default(false),
});

export const assistantSchema = z.object({
  id: z.string().min(1),
  name: z.string().default("Coach"),
  firstMessage: z.string().default("Hi! I'm your coach. What would you like to work on today?"),
  systemPrompt: z.string().default("You are a friendly, concise speaking coach."),
  model: z.record(z.string(), z.unknown()).default({ provider: "openai", model: "gpt-4o-mini" }),
  voice: z.record(z.string(), z.unknown()).default({ provider: "vapi", voiceId: "Elliot" }),
  transcriber: z.record(z.string(), z.unknown()).default({ provider: "deepgram", model: "nova-2", language: "en" }),
  tools: z.array(toolSchema).default([
    {
      name: "getRemainingCredits",
      description: "Get the caller's remaining credits",
      parameters: { type: "object", properties: {} },
    },
  ]),
  server: serverSchema.optional(),
  serverMessages: z.array(z.string()).default(DEFAULT_SERVER_MESSAGES),
  clientMessages: z.array(z.string()).default(DEFAULT_CLIENT_MESSAGES),
  maxDurationSeconds: z.number().int().min(10).max(43200).default(600),
  monitorPlan: monitorPlanSchema.prefault({}),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const restrictionsSchema = z.object({
  enabled: z.boolean().default(true),
  allowedOrigins: z.array(z.string()).optional(),
  allowedAssistantIds: z.array(z.string()).optional(),
  allowTransientAssistant: z.boolean().optional(),
});

const turnSchema = z.object({
  role: z.enum(["assistant", "user"]),
  text: z.string().min(1),
  pauseMs: z.number().min(0).default(800),
});

/** The emulator's account when nothing says otherwise: `npm run dev` and `npm run vapi` both use it, so they agree with no setup. */
export const DEFAULT_ACCOUNT = {
  orgId: "emulator-org",
  privateKey: "emulator-private-key",
  publicKey: "emulator-public-key",
  port: 4010,
} as const;

export const emulatorConfigSchema = z.object({
  /** 0 lets the OS pick a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  orgId: z.string().min(1).default(DEFAULT_ACCOUNT.orgId),
  privateKey: z.string().min(1).default(DEFAULT_ACCOUNT.privateKey),
  publicKey: z.string().min(1).default(DEFAULT_ACCOUNT.publicKey),
  publicKeyRestrictions: restrictionsSchema.prefault({}),
  assistants: z
    .array(assistantSchema)
    .min(1)
    .prefault([{ id: "emulator-assistant" }]),
  /** The org-level server URL: used when the effective assistant has none (transient assistants). */
  orgServer: serverSchema.optional(),
  postProcessingDelayMs: z.number().min(0).default(1500),
  customerJoinTimeoutSeconds: z.number().positive().default(30),
  speechCharsPerSecond: z.number().positive().default(15),
  /** Multiplies maxDurationSeconds and customerJoinTimeoutSeconds timers, so tests can run a "10 s" call in 100 ms. */
  timeScale: z.number().positive().default(1),
  conversation: z
    .array(turnSchema)
    .min(1)
    .prefault([...DEFAULT_CONVERSATION]),
  partialTranscripts: z.boolean().default(true),
  controlEndCallEndedReason: z.string().default("assistant-ended-call"),
  sayEndCallEndedReason: z.string().default("assistant-ended-call-after-message-spoken"),
  customerJoinTimeoutEndedReason: z.string().default("customer-did-not-answer"),
  microphoneDeniedEndedReason: z.string().default("customer-did-not-give-microphone-permission"),
  adminEndCallEndedReason: z.string().default("manually-canceled"),
  /** `object` as in captured payloads; `string` as the OpenAPI schema types ToolCallFunction.arguments. */
  toolArgumentsFormat: z.enum(["object", "string"]).default("object"),
  /**
   * Calls that may be queued or in progress at once (Vapi's default is 10). A POST /call/web beyond it
   * creates a call that has already ended with `call.start.error-subscription-concurrency-limit-reached`.
   * 0 refuses every call (a test knob; real accounts have at least one line).
   */
  concurrencyLimit: z.number().int().min(0).default(10),
  publicUrl: z.string().url().optional(),
});

export type EmulatorConfig = z.input<typeof emulatorConfigSchema>;
export type ResolvedConfig = z.output<typeof emulatorConfigSchema>;
export type AssistantConfig = ResolvedConfig["assistants"][number];
export type ServerConfig = z.output<typeof serverSchema>;
export type WebhookAuth = z.output<typeof webhookAuthSchema>;
export type BackoffPlan = z.output<typeof backoffPlanSchema>;
export type TokenRestrictions = z.output<typeof restrictionsSchema>;
export type ConversationTurn = z.output<typeof turnSchema>;

export function resolveConfig(config: EmulatorConfig): ResolvedConfig {
  const parsed = emulatorConfigSchema.safeParse(config);
  if (!parsed.success) throw new Error(`Invalid Vapi emulator config:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

type Env = Record<string, string | undefined>;

/** One assistant from VAPI_* variables, with the JSON file at VAPI_EMULATOR_CONFIG merged over it. */
export function configFromEnv(env: Env = process.env): EmulatorConfig {
  const assistantId = env.VAPI_ASSISTANT_ID || "emulator-assistant";
  const assistant: Record<string, unknown> = { id: assistantId };
  const serverUrls = splitList(env.VAPI_SERVER_URL ?? "");
  if (serverUrls.length) {
    const url = serverUrls.length === 1 ? serverUrls[0] : serverUrls;
    assistant.server = { url, auth: webhookAuthFromEnv(env) };
  }
  const fromEnv: Record<string, unknown> = {
    orgId: env.VAPI_ORG_ID || undefined,
    publicKey: env.VAPI_PUBLIC_KEY || undefined,
    privateKey: env.VAPI_PRIVATE_KEY || undefined,
    publicUrl: env.VAPI_EMULATOR_PUBLIC_URL || undefined,
    assistants: [assistant],
  };
  if (env.VAPI_EMULATOR_ALLOWED_ORIGINS) {
    fromEnv.publicKeyRestrictions = { allowedOrigins: splitList(env.VAPI_EMULATOR_ALLOWED_ORIGINS) };
  }
  if (env.VAPI_EMULATOR_POST_PROCESSING_MS) {
    fromEnv.postProcessingDelayMs = Number(env.VAPI_EMULATOR_POST_PROCESSING_MS);
  }
  if (env.VAPI_EMULATOR_CONCURRENCY_LIMIT) {
    fromEnv.concurrencyLimit = Number(env.VAPI_EMULATOR_CONCURRENCY_LIMIT);
  }
  const fileConfig = env.VAPI_EMULATOR_CONFIG ? readJsonConfig(env.VAPI_EMULATOR_CONFIG) : {};
  return mergeConfigs(dropUndefined(fromEnv), fileConfig) as EmulatorConfig;
}

function webhookAuthFromEnv(env: Env): WebhookAuth {
  const mode = (env.VAPI_WEBHOOK_AUTH || "hmac").toLowerCase();
  const secret = env.VAPI_WEBHOOK_SECRET;
  if (mode === "none") return { type: "none" };
  if (!secret) throw new Error(`VAPI_WEBHOOK_AUTH=${mode} needs VAPI_WEBHOOK_SECRET`);
  switch (mode) {
    case "secret":
      return { type: "secret", secret };
    case "bearer":
      return { type: "bearer", token: secret };
    case "hmac": {
      const unit = env.VAPI_WEBHOOK_HMAC_TIMESTAMP_UNIT === "s" ? "s" : "ms";
      return { type: "hmac", secret, timestampUnit: unit };
    }
    default:
      throw new Error(`VAPI_WEBHOOK_AUTH must be hmac, secret, bearer or none (got "${mode}")`);
  }
}

function readJsonConfig(path: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!isPlainObject(parsed)) throw new Error(`${path} must hold a JSON object`);
  return parsed;
}

/** `over` merged onto `base` as the VAPI_EMULATOR_CONFIG file is: objects deeply, assistants by id. */
export function mergeEmulatorConfig(base: EmulatorConfig, over: Partial<EmulatorConfig>): EmulatorConfig {
  return mergeConfigs(base as Record<string, unknown>, over as Record<string, unknown>) as EmulatorConfig;
}

/** Objects merge deeply; assistants merge by id, so a file can tune the env assistant without restating it. */
function mergeConfigs(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const { assistants: overAssistants, ...rest } = over;
  const merged = deepMerge(base, rest);
  if (!Array.isArray(overAssistants)) return merged;
  const assistants = [...((base.assistants as Record<string, unknown>[]) ?? [])];
  for (const assistant of overAssistants as Record<string, unknown>[]) {
    const index = assistants.findIndex((existing) => existing.id === assistant.id);
    if (index >= 0) assistants[index] = deepMerge(assistants[index], assistant);
    else assistants.push(assistant);
  }
  return { ...merged, assistants };
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
