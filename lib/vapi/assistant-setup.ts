import { createHash } from "node:crypto";

/** What `npm run vapi:setup` makes the coach assistant look like; pure, so the CLI only does I/O. */
export type AssistantSetupInputs = {
  appUrl: string;
  assistantId: string;
  webhookSecret: string;
  maxCallMinutes: number;
};

type Json = Record<string, unknown>;

export type AssistantChange = { setting: string; from: unknown; to: unknown };

export type AssistantPlan = {
  changes: AssistantChange[];
  /** The PATCH /assistant/:id body: only the top-level fields that change, each sent whole. */
  update: Json;
  notes: string[];
};

export const CREDITS_TOOL_NAME = "getRemainingCredits";

/** The webhook's handlers (status, billing, cut-off, tool answers) need at least these. */
export const REQUIRED_SERVER_MESSAGES = ["status-update", "end-of-call-report", "conversation-update", "tool-calls"];

// What Vapi sends when an assistant leaves serverMessages unset (vapi-protocol.md §2.1).
const VAPI_DEFAULT_SERVER_MESSAGES = [
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

export function webhookUrl(appUrl: string): string {
  return `${appUrl.replace(/\/+$/, "")}/api/vapi/webhook`;
}

/** A few seconds past the app's own cut-off, so the app ends calls and Vapi's ceiling only backs it up. */
export function maxDurationSecondsFor(maxCallMinutes: number): number {
  return maxCallMinutes * 60 + 10;
}

/**
 * Vapi does not hand secrets back (assumed), so the name carries a fingerprint of the secret:
 * a rotated VAPI_WEBHOOK_SECRET gets a new credential instead of silently reusing the old one.
 */
export function webhookCredentialName(webhookSecret: string): string {
  const fingerprint = createHash("sha256").update(`coach-call webhook:${webhookSecret}`).digest("hex").slice(0, 12);
  return `coach-call webhook ${fingerprint}`;
}

/** POST /credential body: HMAC with Vapi's defaults, which is what lib/vapi/verify.ts checks. */
export function webhookCredentialRequest(webhookSecret: string) {
  return {
    provider: "webhook" as const,
    name: webhookCredentialName(webhookSecret),
    authenticationPlan: { type: "hmac" as const, secretKey: webhookSecret, algorithm: "sha256" as const },
  };
}

/** The id of an HMAC credential made earlier for this secret, if GET /credential lists one. */
export function findWebhookCredential(credentials: unknown[], webhookSecret: string): string | undefined {
  const name = webhookCredentialName(webhookSecret);
  const match = credentials.filter(isObject).find((credential) => {
    const plan = isObject(credential.authenticationPlan) ? credential.authenticationPlan : {};
    const secretMatches = plan.secretKey === undefined || plan.secretKey === webhookSecret;
    return credential.name === name && plan.type === "hmac" && secretMatches;
  });
  return typeof match?.id === "string" ? match.id : undefined;
}

/** Compares the assistant Vapi has with what the webhook needs; `credentialId` names the HMAC credential. */
export function planAssistantUpdate(current: Json, inputs: AssistantSetupInputs, credentialId: string): AssistantPlan {
  const url = webhookUrl(inputs.appUrl);
  const changes: AssistantChange[] = [];
  const update: Json = {};
  const notes: string[] = [];

  const server = isObject(current.server) ? current.server : {};
  for (const [field, wanted] of [
    ["url", url],
    ["credentialId", credentialId],
  ] as const) {
    if (server[field] !== wanted) changes.push({ setting: `server.${field}`, from: server[field], to: wanted });
  }
  const { server: cleaned, removed } = withoutStaticSecrets(server);
  for (const setting of removed) changes.push({ setting, from: HIDDEN, to: undefined });
  if (server.url !== url || server.credentialId !== credentialId || removed.length > 0)
    update.server = { ...cleaned, url, credentialId };
  if (current.serverUrlSecret !== undefined)
    notes.push("The assistant still has a legacy serverUrlSecret: remove it in Vapi's dashboard.");

  const serverMessages = stringArray(current.serverMessages) ?? VAPI_DEFAULT_SERVER_MESSAGES;
  const missing = REQUIRED_SERVER_MESSAGES.filter((type) => !serverMessages.includes(type));
  if (missing.length > 0) {
    update.serverMessages = [...serverMessages, ...missing];
    changes.push({ setting: "serverMessages", from: current.serverMessages, to: update.serverMessages });
  }

  const monitorPlan = isObject(current.monitorPlan) ? current.monitorPlan : {};
  // Vapi defaults controlEnabled to true, but the app cannot cut a call off without controlUrl: say so explicitly.
  if (monitorPlan.controlEnabled !== true) {
    update.monitorPlan = { ...monitorPlan, controlEnabled: true };
    changes.push({ setting: "monitorPlan.controlEnabled", from: monitorPlan.controlEnabled, to: true });
  }

  const maxDurationSeconds = maxDurationSecondsFor(inputs.maxCallMinutes);
  if (current.maxDurationSeconds !== maxDurationSeconds) {
    update.maxDurationSeconds = maxDurationSeconds;
    changes.push({ setting: "maxDurationSeconds", from: current.maxDurationSeconds, to: maxDurationSeconds });
  }

  const model = isObject(current.model) ? current.model : {};
  const tools = Array.isArray(model.tools) ? model.tools : [];
  const creditsTool = tools.filter(isObject).find(isCreditsTool);
  if (!creditsTool) {
    notes.push(`No ${CREDITS_TOOL_NAME} tool on the assistant (optional): left as is.`);
  } else {
    // A tool's own server wins over the assistant's for its tool-calls (§1.3), so it needs the same URL and credential.
    const toolServer = isObject(creditsTool.server) ? creditsTool.server : {};
    const { server: cleanedToolServer, removed: removedFromTool } = withoutStaticSecrets(toolServer);
    if (toolServer.url !== url || toolServer.credentialId !== credentialId || removedFromTool.length > 0) {
      const fixedTool = { ...creditsTool, server: { ...cleanedToolServer, url, credentialId } };
      update.model = { ...model, tools: tools.map((tool) => (tool === creditsTool ? fixedTool : tool)) };
      const setting = `model.tools[${CREDITS_TOOL_NAME}].server`;
      changes.push({
        setting,
        from: isObject(creditsTool.server) ? cleanedToolServer : creditsTool.server,
        to: fixedTool.server,
      });
      for (const removed of removedFromTool)
        changes.push({ setting: `model.tools[${CREDITS_TOOL_NAME}].${removed}`, from: HIDDEN, to: undefined });
    }
  }
  return { changes, update, notes };
}

const HIDDEN = "(a secret, not shown)";
// Ways to authenticate the webhook with a static secret: sent in plain sight on every delivery
// (an Authorization header also shadows the credential's), so the HMAC credential replaces them.
const STATIC_SECRET_HEADERS = ["authorization", "x-vapi-secret"];

function withoutStaticSecrets(server: Json): { server: Json; removed: string[] } {
  const { secret, headers, ...rest } = server;
  const removed = secret === undefined ? [] : ["server.secret"];
  if (!isObject(headers)) return { server: headers === undefined ? rest : { ...rest, headers }, removed };
  const kept = Object.fromEntries(
    Object.entries(headers).filter(([name]) => !STATIC_SECRET_HEADERS.includes(name.toLowerCase())),
  );
  for (const name of Object.keys(headers)) if (!(name in kept)) removed.push(`server.headers.${name}`);
  return { server: Object.keys(kept).length > 0 ? { ...rest, headers: kept } : rest, removed };
}

export function describeChange({ setting, from, to }: AssistantChange): string {
  return `${setting}: ${show(from)} → ${show(to)}`;
}

/** What the API cannot set: public-key restrictions live on the key, in Vapi's dashboard (§6.2). */
export function dashboardChecklist(appUrl: string, assistantId: string): string {
  return [
    "Only Vapi's dashboard can do the rest (Organization → API Keys → your public key → Restrictions):",
    `  [ ] Allowed origins: ${new URL(appUrl).origin}`,
    `  [ ] Allowed assistants: ${assistantId} (the coach) only`,
    "  [ ] Transient assistants: off",
    "  [ ] Prefer per-call JWTs: set VAPI_PRIVATE_KEY in the app's environment, so the browser gets a short-lived",
    "      token restricted to the coach instead of the static public key (leave VAPI_STATIC_PUBLIC_KEY unset).",
  ].join("\n");
}

function isCreditsTool(tool: Json): boolean {
  return tool.type === "function" && isObject(tool.function) && tool.function.name === CREDITS_TOOL_NAME;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;
}

function show(value: unknown): string {
  return value === undefined ? "(unset)" : JSON.stringify(value);
}
