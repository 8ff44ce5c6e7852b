import { createHash } from "node:crypto";
import { dateFromIsoOrEpoch } from "./epoch";
import {
  messageSchemaByType,
  type KnownMessageType,
  type NestedToolCall,
  type RawToolCall,
  type ServerMessage,
  type ToolCallsMessage,
} from "./message-schemas";

export * from "./message-schemas";

export type ParsedServerMessage =
  | { kind: "message"; message: ServerMessage }
  | { kind: "unknown-type"; type: string }
  | { kind: "invalid"; issues: string[] };

/** Parses a webhook body (`{ message: {...} }`) that has already been JSON-decoded. */
export function parseServerMessage(json: unknown): ParsedServerMessage {
  if (!isRecord(json)) return invalid("(root): expected an object with a `message` field");
  const message = json.message;
  if (!isRecord(message)) return invalid("message: expected an object");
  const type = message.type;
  if (typeof type !== "string" || type === "") return invalid("message.type: expected a non-empty string");
  if (!isKnownMessageType(type)) return { kind: "unknown-type", type };

  const result = messageSchemaByType[type].safeParse(message);
  if (!result.success) return { kind: "invalid", issues: formatIssues(result.error.issues) };
  return { kind: "message", message: result.data as ServerMessage };
}

export function callIdOf(message: ServerMessage): string | undefined {
  return message.call?.id || undefined;
}

/** Trust it only from a verified message: the URL is the capability to end the call. */
export function controlUrlOf(message: ServerMessage): string | undefined {
  return message.call?.monitor?.controlUrl || undefined;
}

/**
 * The metadata the browser passed in `assistantOverrides` at start. The client chose it, so it is
 * untrusted: the caller validates it and cross-checks it against what the server issued.
 */
export function startMetadataOf(message: ServerMessage): unknown {
  return message.call?.assistantOverrides?.metadata ?? message.assistant?.metadata ?? undefined;
}

/**
 * Vapi sends no event id, so the idempotency key is derived: call id + type (+ status for
 * status-updates, + tool call ids for tool-calls, + the timestamp for the chatty types). Without a call id the
 * key is a hash of the message, so only an identical redelivery collides.
 */
export function dedupeKeyOf(message: ServerMessage): string {
  const callId = callIdOf(message);
  const parts = [callId ?? `no-call:${hashOf(message)}`, message.type];
  if (message.type === "status-update") parts.push(message.status);
  else if (message.type === "tool-calls") parts.push(message.toolCallList.map((call) => call.id).join(","));
  // Conversation, speech and transcript messages come many per call: a redelivery repeats the
  // timestamp, a new message does not.
  else if (message.type !== "end-of-call-report" && message.type !== "assistant-request")
    parts.push(String(message.timestamp ?? hashOf(message)));
  const key = parts.join(":");
  // A unique-index key must stay small (PostgreSQL caps an index row at about 2.7 kB): many tool calls, say.
  return key.length <= MAX_DEDUPE_KEY_CHARS
    ? key
    : `${key.slice(0, 200)}:sha256:${createHash("sha256").update(key).digest("hex")}`;
}

const MAX_DEDUPE_KEY_CHARS = 500;

export function messageTimestamp(message: ServerMessage): Date | undefined {
  return dateFromIsoOrEpoch(message.timestamp);
}

export type ToolCall = {
  id: string;
  name: string;
  /** null when the arguments were present but not a JSON object. */
  arguments: Record<string, unknown> | null;
};

/** Tool calls in call order, with both wire shapes and both argument encodings folded into one. */
export function toolCallsOf(message: ToolCallsMessage): ToolCall[] {
  return message.toolCallList.map(normalizeToolCall);
}

function normalizeToolCall(call: RawToolCall): ToolCall {
  if (isNestedToolCall(call)) {
    return { id: call.id, name: call.function.name, arguments: argumentsObject(call.function.arguments) };
  }
  return { id: call.id, name: call.name, arguments: argumentsObject(call.arguments ?? call.parameters) };
}

function isNestedToolCall(call: RawToolCall): call is NestedToolCall {
  return isRecord(call.function) && typeof call.function.name === "string";
}

function argumentsObject(raw: unknown): Record<string, unknown> | null {
  if (raw === undefined || raw === null || raw === "") return {};
  if (isRecord(raw)) return raw;
  if (typeof raw !== "string") return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function isKnownMessageType(type: string): type is KnownMessageType {
  return Object.hasOwn(messageSchemaByType, type);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function formatIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return `message${path ? `.${path}` : ""}: ${issue.message}`;
  });
}

function invalid(issue: string): ParsedServerMessage {
  return { kind: "invalid", issues: [issue] };
}

function hashOf(message: ServerMessage): string {
  return createHash("sha256").update(JSON.stringify(message)).digest("hex").slice(0, 32);
}
