import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { AppConfig } from "@/lib/config";
import type { Pricing } from "@/lib/credits/pricing";
import { hitRateLimit } from "@/lib/rate-limit";
import { maskString } from "@/lib/vapi/mask";
import {
  callIdOf, controlUrlOf, dedupeKeyOf, messageTimestamp, parseServerMessage, startMetadataOf, toolCallsOf,
  type EndOfCallReportMessage, type ServerMessage,
} from "@/lib/vapi/messages";
import { buildToolCallsReply, rejectAssistantRequest } from "@/lib/vapi/tool-results";
import { verifyServerMessage } from "@/lib/vapi/verify";
import { authorizeCall } from "./authorize";
import { recordEvent } from "./event-log";
import { markCallEnded, settleCall } from "./settle";
import { answerToolCalls } from "./tools";

export type InboxReply = { status: number; body: unknown; headers?: Record<string, string> };

export const MAX_BODY_BYTES = 1_000_000;
const REJECTIONS_PER_MINUTE = 60;
/** Rejected requests are only counted (RateLimitWindow), by reason (hourly) and by source address (per minute, to throttle). */
export const REJECTED_BY_REASON = "webhook-rejected:reason:";
export const REJECTED_BY_SOURCE = "webhook-rejected:source:";

type Context = { db: Db; config: AppConfig; pricing: Pricing; now?: Date };

/**
 * One server message from Vapi: verify the sender, parse, record once, then act. Unverified
 * requests write nothing but a rejection counter; a verified duplicate changes nothing.
 */
export async function receiveServerMessage(ctx: Context, request: { headers: Headers; rawBody: string; clientIp: string }): Promise<InboxReply> {
  const now = ctx.now ?? new Date();
  const verdict = verifyServerMessage({ headers: request.headers, rawBody: request.rawBody, accept: ctx.config.vapi.accept, now });
  if (!verdict.ok) {
    const limit = await hitRateLimit(ctx.db, `${REJECTED_BY_SOURCE}${request.clientIp}`, REJECTIONS_PER_MINUTE, 60, now);
    await hitRateLimit(ctx.db, `${REJECTED_BY_REASON}${verdict.reason}`, Number.MAX_SAFE_INTEGER, 3600, now);
    if (!limit.allowed) return { status: 429, body: { error: "Too many rejected requests." }, headers: { "retry-after": String(limit.retryAfterSeconds) } };
    return { status: 401, body: { error: "Unauthorized." } };
  }
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody);
  } catch {
    return { status: 400, body: { error: "Body is not JSON." } };
  }
  const parsed = parseServerMessage(json);
  if (parsed.kind === "invalid") {
    await recordEvent(ctx.db, { dedupeKey: `invalid:${randomUUID()}`, type: typeOf(json), outcome: "invalid", detail: parsed.issues.join("; ").slice(0, 1000), payload: json, receivedAt: now });
    return { status: 422, body: { error: "Message has an unexpected shape.", issues: parsed.issues.slice(0, 10) } };
  }
  if (parsed.kind === "unknown-type") return { status: 200, body: {} };

  const message = parsed.message;
  const first = await recordEvent(ctx.db, {
    dedupeKey: dedupeKeyOf(message), type: message.type, vapiCallId: callIdOf(message),
    status: message.type === "status-update" ? message.status : undefined, outcome: "accepted", payload: json, receivedAt: now,
    transcript: transcriptOf(message), sentAt: message.type === "conversation-update" ? plausibleSendTime(message, now) : undefined,
  });
  // Replies that carry an answer are answered again; everything else happens once.
  if (message.type === "tool-calls") return { status: 200, body: buildToolCallsReply(await answerToolCalls(ctx.db, callIdOf(message), toolCallsOf(message), ctx.pricing, now)) };
  if (message.type === "assistant-request") return { status: 200, body: rejectAssistantRequest("Sorry, Coach Call only takes calls from its web app. Goodbye.") };
  if (first) await act(ctx, message, now);
  return { status: 200, body: {} };
}

async function act({ db, config, pricing }: Context, message: ServerMessage, now: Date) {
  const vapiCallId = callIdOf(message);
  if (!vapiCallId) return;
  const sighting = { vapiCallId, controlUrl: controlUrlOf(message), metadata: startMetadataOf(message) };
  if (message.type === "status-update" && message.status === "in-progress") {
    const sent = messageTimestamp(message);
    // Deadlines count from the earlier of Vapi's send time and our receipt: never in the caller's favour.
    const startedAt = sent && sent < now && now.getTime() - sent.getTime() < 300_000 ? sent : now;
    await authorizeCall(db, { ...sighting, startedAt, live: true }, config.startTokenSecret, now);
  } else if (message.type === "status-update" && message.status === "ended") {
    await markCallEnded(db, vapiCallId, message.endedReason ?? undefined, now);
  } else if (message.type === "end-of-call-report") {
    await settleCall(db, finalUsage(message, sighting), config.startTokenSecret, pricing, now);
  }
  // conversation-update: its transcript was kept when it was recorded.
}

function finalUsage(m: EndOfCallReportMessage, sighting: { vapiCallId: string; controlUrl?: string; metadata: unknown }) {
  const date = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined);
  return {
    vapiCallId: sighting.vapiCallId,
    startedAt: date(m.startedAt),
    endedAt: date(m.endedAt),
    durationSeconds: m.durationSeconds ?? (typeof m.durationMs === "number" ? m.durationMs / 1000 : undefined),
    endedReason: m.endedReason,
    cost: m.cost ?? undefined,
    summary: masked(m.analysis?.summary ?? m.summary),
    transcript: masked(m.artifact?.transcript ?? m.transcript),
    recordingUrl: m.artifact?.recordingUrl ?? m.recordingUrl ?? undefined,
    sighting,
    source: "end-of-call-report" as const,
  };
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

/** Transcripts and summaries are kept with phone numbers and emails masked, like the message log. */
const masked = (text: string | null | undefined) => (text ? maskString(text) : undefined);

const typeOf = (json: unknown) => {
  const type = (json as { message?: { type?: unknown } } | null)?.message?.type;
  return typeof type === "string" ? type.replaceAll("\u0000", "").slice(0, 100) : "(none)";
};
