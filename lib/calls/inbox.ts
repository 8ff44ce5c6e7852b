import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { AppConfig } from "@/lib/config";
import type { Pricing } from "@/lib/credits/pricing";
import { hitRateLimit } from "@/lib/rate-limit";
import { parseBoundedJson } from "@/lib/vapi/bounded-json";
import { loggedPayload } from "@/lib/vapi/logged-payload";
import { maskString } from "@/lib/vapi/mask";
import {
  callIdOf,
  dedupeKeyOf,
  isKnownMessageType,
  messageTimestamp,
  parseServerMessage,
  toolCallsOf,
  type ServerMessage,
} from "@/lib/vapi/messages";
import { buildToolCallsReply, rejectAssistantRequest } from "@/lib/vapi/tool-results";
import { verifyServerMessage } from "@/lib/vapi/verify";
import { recordEvent } from "./event-log";
import { actionOf, recordAndAct } from "./message-actions";
import { processMessage } from "./process-message";
import { answerToolCalls } from "./tools";

export { retryUnprocessedMessages } from "./process-message";

/** `outcome` names what happened, for metrics: a few fixed words, as `type` is a known message type or "other". */
export type InboxReply = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  type: string;
  outcome: string;
};

export const MAX_BODY_BYTES = 1_000_000;
const REJECTIONS_PER_MINUTE = 60;
/** Rejected requests are only counted (RateLimitWindow), by reason (hourly) and by source address (per minute, to throttle). */
export const REJECTED_BY_REASON = "webhook-rejected:reason:";
export const REJECTED_BY_SOURCE = "webhook-rejected:source:";

type Context = { db: Db; config: AppConfig; pricing: Pricing; now?: Date };

/**
 * One server message from Vapi: verify the sender, bound and parse the body, record it once with
 * what it asks us to do, then do that (lib/calls/process-message.ts). Unverified requests write
 * nothing but a rejection counter; a duplicate changes nothing, unless the first one's action has
 * not committed yet: then it is tried again.
 */
export async function receiveServerMessage(
  ctx: Context,
  request: { headers: Headers; rawBody: string; clientIp: string },
): Promise<InboxReply> {
  const now = ctx.now ?? new Date();
  const verdict = verifyServerMessage({
    headers: request.headers,
    rawBody: request.rawBody,
    accept: ctx.config.vapi.accept,
    now,
  });
  if (!verdict.ok) {
    const limit = await hitRateLimit(
      ctx.db,
      `${REJECTED_BY_SOURCE}${request.clientIp}`,
      REJECTIONS_PER_MINUTE,
      60,
      now,
    );
    await hitRateLimit(ctx.db, `${REJECTED_BY_REASON}${verdict.reason}`, Number.MAX_SAFE_INTEGER, 3600, now);
    if (!limit.allowed)
      return {
        status: 429,
        body: { error: "Too many rejected requests." },
        headers: { "retry-after": String(limit.retryAfterSeconds) },
        type: "other",
        outcome: "throttled",
      };
    return { status: 401, body: { error: "Unauthorized." }, type: "other", outcome: "unauthorized" };
  }
  const body = parseBoundedJson(request.rawBody);
  if (!body.ok) {
    if (body.status === 422) await recordInvalid(ctx.db, { message: { omitted: body.error } }, [body.error], now);
    return { status: body.status, body: { error: body.error }, type: "other", outcome: "invalid" };
  }
  const json = body.value;
  const parsed = parseServerMessage(json);
  if (parsed.kind === "invalid") {
    await recordInvalid(ctx.db, json, parsed.issues, now);
    return {
      status: 422,
      body: { error: "Message has an unexpected shape.", issues: parsed.issues.slice(0, 10) },
      type: knownTypeOf(json),
      outcome: "invalid",
    };
  }
  if (parsed.kind === "unknown-type") return { status: 200, body: {}, type: "other", outcome: "ignored" };

  const message = parsed.message;
  const dedupeKey = dedupeKeyOf(message);
  const action = actionOf(message, now);
  // The coach waits for a tool call's answer, which does not depend on its record: both go at once.
  const [{ first, pending }, toolAnswers] = await Promise.all([
    recordAndAct(ctx, action, {
      dedupeKey,
      type: message.type,
      vapiCallId: callIdOf(message),
      status: message.type === "status-update" ? message.status : undefined,
      outcome: "ACCEPTED",
      payload: loggedPayload(json),
      receivedAt: now,
      transcript: transcriptOf(message),
      sentAt: message.type === "conversation-update" ? plausibleSendTime(message, now) : undefined,
      action,
    }),
    message.type === "tool-calls"
      ? answerToolCalls(ctx.db, callIdOf(message), toolCallsOf(message), ctx.pricing, now)
      : undefined,
  ]);
  const type = message.type;
  const outcome = first ? "accepted" : "duplicate";
  // Replies that carry an answer are answered again; everything else happens once.
  if (toolAnswers) return { status: 200, body: buildToolCallsReply(toolAnswers), type, outcome };
  if (type === "assistant-request")
    return {
      status: 200,
      body: rejectAssistantRequest("Sorry, Coach Call only takes calls from its web app. Goodbye."),
      type,
      outcome,
    };
  if (pending && action) {
    const done = await processMessage(
      ctx,
      { dedupeKey, type, vapiCallId: callIdOf(message) ?? null, attempts: 0, action },
      now,
    );
    // Kept, and retried from the database; a redelivery also tries again.
    if (!done)
      return {
        status: 503,
        body: { error: "Recorded, but acting on it failed; it will be retried." },
        headers: { "retry-after": "5" },
        type,
        outcome: "failed",
      };
  }
  return { status: 200, body: {}, type, outcome };
}

function recordInvalid(db: Db, payload: unknown, issues: string[], now: Date) {
  return recordEvent(db, {
    dedupeKey: `invalid:${randomUUID()}`,
    type: typeOf(payload),
    outcome: "INVALID",
    detail: issues.join("; ").slice(0, 1000),
    payload,
    receivedAt: now,
  });
}

/** The conversation so far, as Vapi's text transcript format ("AI: …\nUser: …"). */
function transcriptOf(message: ServerMessage): string | undefined {
  if (message.type !== "conversation-update") return undefined;
  const lines = (message.messages ?? []).flatMap((m) => {
    const { role, message: text } = (m ?? {}) as { role?: unknown; message?: unknown };
    if (typeof text !== "string" || (role !== "bot" && role !== "assistant" && role !== "user")) return [];
    return [`${role === "user" ? "User" : "AI"}: ${text}`];
  });
  return lines.length ? maskString(lines.join("\n")) : undefined;
}

/** Vapi's send time, if within a day of ours: a wild one would hold the live transcript back for good. */
function plausibleSendTime(message: ServerMessage, now: Date): Date | undefined {
  const sent = messageTimestamp(message);
  return sent && Math.abs(sent.getTime() - now.getTime()) < 86_400_000 ? sent : undefined;
}

/** A known message type, or "other": metric labels must stay few. */
const knownTypeOf = (json: unknown) => {
  const type = typeOf(json);
  return isKnownMessageType(type) ? type : "other";
};

const typeOf = (json: unknown) => {
  const type = (json as { message?: { type?: unknown } } | null)?.message?.type;
  return typeof type === "string" ? type.replaceAll("\u0000", "").slice(0, 100) : "(none)";
};
