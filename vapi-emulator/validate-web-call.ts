import { DEFAULT_CLIENT_MESSAGES } from "./config";
import { HttpError } from "./http";
import type { JsonObject } from "./assistant";
import { isPlainObject } from "./merge";

// AssistantOverrides.serverMessages / clientMessages enums (vapi-protocol.md §2.1).
const SERVER_MESSAGE_TYPES = new Set([
  "assistant.started",
  "assistant.speechStarted",
  "conversation-update",
  "end-of-call-report",
  "function-call",
  "hang",
  "language-changed",
  "language-change-detected",
  "model-output",
  "phone-call-control",
  "speech-update",
  "status-update",
  "transcript",
  'transcript[transcriptType="final"]',
  "tool-calls",
  "transfer-destination-request",
  "handoff-destination-request",
  "transfer-update",
  "user-interrupted",
  "voice-input",
  "chat.created",
  "chat.deleted",
  "session.created",
  "session.updated",
  "session.deleted",
  "call.deleted",
  "call.delete.failed",
  "call.artifact.upload",
]);

const CLIENT_MESSAGE_TYPES = new Set([
  ...DEFAULT_CLIENT_MESSAGES,
  "assistant.speechStarted",
  "function-call-result",
  "language-changed",
  "metadata",
  "tool-calls-result",
  "tool.completed",
]);

export type WebCallBody = {
  assistantId?: string;
  assistant?: JsonObject;
  assistantOverrides?: JsonObject;
  roomDeleteOnUserLeaveEnabled?: boolean;
};

/** Checks the CreateWebCallDto fields the emulator acts on; messages read like NestJS class-validator's. */
export function parseWebCallBody(body: JsonObject): WebCallBody {
  const problems: string[] = [];
  if (
    body.squadId !== undefined ||
    body.squad !== undefined ||
    body.workflowId !== undefined ||
    body.workflow !== undefined
  ) {
    throw new HttpError(400, "The Vapi emulator supports assistants only (no squads or workflows).");
  }
  if (body.assistantId !== undefined && typeof body.assistantId !== "string")
    problems.push("assistantId must be a string");
  if (body.assistant !== undefined && !isPlainObject(body.assistant)) problems.push("assistant must be an object");
  if (body.assistantId === undefined && body.assistant === undefined) {
    problems.push("Need Either `assistant` Or `assistantId`.");
  }
  const overrides = body.assistantOverrides;
  if (overrides !== undefined && !isPlainObject(overrides)) problems.push("assistantOverrides must be an object");
  if (isPlainObject(overrides)) problems.push(...assistantProblems(overrides, "assistantOverrides"));
  if (isPlainObject(body.assistant)) problems.push(...assistantProblems(body.assistant, "assistant"));
  if (problems.length > 0) throw new HttpError(400, problems);
  return {
    assistantId: body.assistantId as string | undefined,
    assistant: body.assistant as JsonObject | undefined,
    assistantOverrides: overrides as JsonObject | undefined,
    roomDeleteOnUserLeaveEnabled:
      typeof body.roomDeleteOnUserLeaveEnabled === "boolean" ? body.roomDeleteOnUserLeaveEnabled : undefined,
  };
}

function assistantProblems(fields: JsonObject, prefix: string): string[] {
  const problems: string[] = [];
  const duration = fields.maxDurationSeconds;
  if (duration !== undefined) {
    if (typeof duration !== "number" || !Number.isFinite(duration))
      problems.push(`${prefix}.maxDurationSeconds must be a number`);
    else if (duration < 10) problems.push(`${prefix}.maxDurationSeconds must not be less than 10`);
    else if (duration > 43200) problems.push(`${prefix}.maxDurationSeconds must not be greater than 43200`);
  }
  problems.push(...enumListProblems(fields.serverMessages, SERVER_MESSAGE_TYPES, `${prefix}.serverMessages`));
  problems.push(...enumListProblems(fields.clientMessages, CLIENT_MESSAGE_TYPES, `${prefix}.clientMessages`));
  if (fields.server !== undefined) {
    if (!isPlainObject(fields.server)) problems.push(`${prefix}.server must be an object`);
    else if (fields.server.url !== undefined && !isHttpUrl(fields.server.url))
      problems.push(`${prefix}.server.url must be a URL address`);
  }
  if (fields.monitorPlan !== undefined && !isPlainObject(fields.monitorPlan))
    problems.push(`${prefix}.monitorPlan must be an object`);
  if (fields.metadata !== undefined && !isPlainObject(fields.metadata))
    problems.push(`${prefix}.metadata must be an object`);
  return problems;
}

function enumListProblems(value: unknown, allowed: Set<string>, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${field} must be an array`];
  return value.some((item) => typeof item !== "string" || !allowed.has(item))
    ? [`each value in ${field} must be one of the following values: ${[...allowed].join(", ")}`]
    : [];
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
