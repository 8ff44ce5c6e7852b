import { z } from "zod";
import type { Db } from "@/lib/db/client";
import type { AppConfig } from "@/lib/config";
import type { Pricing } from "@/lib/credits/pricing";
import { maskString } from "@/lib/vapi/mask";
import {
  callIdOf,
  controlUrlOf,
  messageTimestamp,
  startMetadataOf,
  type EndOfCallReportMessage,
  type ServerMessage,
} from "@/lib/vapi/messages";
import { log } from "@/lib/observability/log";
import { authorizeCall, recordStart } from "./authorize";
import { recordEvent, type EventRow, type Recorded } from "./event-log";
import { markCallEnded, recordEnd, settleCall } from "./settle";

// What a verified message asks us to do, as plain JSON: kept on its WebhookEvent row until done,
// so a failed attempt can run again later (at-least-once), long after the request that brought it.

const isoDate = z.iso.datetime();
const sighting = { vapiCallId: z.string().min(1), controlUrl: z.string().optional(), metadata: z.unknown().optional() };

export const MessageAction = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("authorize"), ...sighting, startedAt: isoDate }),
  z.object({
    kind: z.literal("end"),
    vapiCallId: z.string().min(1),
    endedReason: z.string().optional(),
    endedAt: isoDate,
  }),
  z.object({
    kind: z.literal("settle"),
    ...sighting,
    startedAt: isoDate.optional(),
    endedAt: isoDate.optional(),
    durationSeconds: z.number().optional(),
    endedReason: z.string().optional(),
    cost: z.number().optional(),
    summary: z.string().optional(),
    transcript: z.string().optional(),
    recordingUrl: z.string().optional(),
  }),
]);
export type MessageAction = z.infer<typeof MessageAction>;

export type ActionContext = { db: Db; config: AppConfig; pricing: Pricing };

/** The action a message carries, decided at arrival (`now`), or undefined when it asks for none. */
export function actionOf(message: ServerMessage, now: Date): MessageAction | undefined {
  const vapiCallId = callIdOf(message);
  if (!vapiCallId) return undefined;
  const seen = { vapiCallId, controlUrl: controlUrlOf(message), metadata: startFields(startMetadataOf(message)) };
  if (message.type === "status-update" && message.status === "in-progress") {
    const sent = messageTimestamp(message);
    // Deadlines count from the earlier of Vapi's send time and our receipt: never in the caller's favour.
    const startedAt = sent && sent < now && now.getTime() - sent.getTime() < 300_000 ? sent : now;
    return { kind: "authorize", ...seen, startedAt: startedAt.toISOString() };
  }
  if (message.type === "status-update" && message.status === "ended") {
    return { kind: "end", vapiCallId, endedReason: message.endedReason ?? undefined, endedAt: now.toISOString() };
  }
  if (message.type === "end-of-call-report") return { kind: "settle", ...seen, ...finalUsageOf(message) };
  return undefined; // conversation-update: its transcript was kept when it was recorded.
}

/**
 * Records a verified message with its action, and does the action in the same statement where it
 * is one (a call's start, an `ended` status). If that statement fails, the message is recorded
 * alone, its action pending, as any other is: nothing is lost (it was not recorded).
 */
export async function recordAndAct(
  ctx: ActionContext,
  action: MessageAction | undefined,
  row: EventRow,
): Promise<Recorded> {
  const recording =
    action?.kind === "authorize"
      ? recordStart(ctx.db, row, action, ctx.config.startTokenSecret)
      : action?.kind === "end"
        ? recordEnd(ctx.db, { ...row, endedReason: action.endedReason })
        : null;
  const recorded = await recording?.catch((error: unknown) => {
    log.warn({ callId: row.vapiCallId, err: error }, "Recording a message with its action failed; recording it alone");
    return null;
  });
  return recorded ?? recordEvent(ctx.db, row);
}

/** Does it, and marks message `processedKey` processed with its effect. Idempotent: running it twice changes nothing more. */
export async function runAction(ctx: ActionContext, action: MessageAction, now: Date, processedKey: string) {
  const { db, config, pricing } = ctx;
  const sightingOf = (a: { vapiCallId: string; controlUrl?: string; metadata?: unknown }) => ({
    vapiCallId: a.vapiCallId,
    controlUrl: a.controlUrl,
    metadata: a.metadata,
  });
  if (action.kind === "authorize") {
    // Its writes are one row per call, so running it again is a lookup.
    await authorizeCall(
      db,
      { ...sightingOf(action), startedAt: new Date(action.startedAt), live: true },
      config.startTokenSecret,
      now,
      processedKey,
    );
  } else if (action.kind === "end") {
    await markCallEnded(db, action.vapiCallId, action.endedReason, new Date(action.endedAt), processedKey);
  } else {
    const date = (iso?: string) => (iso ? new Date(iso) : undefined);
    await settleCall(
      db,
      {
        ...action,
        sighting: sightingOf(action),
        startedAt: date(action.startedAt),
        endedAt: date(action.endedAt),
        source: "end-of-call-report",
      },
      config.startTokenSecret,
      pricing,
      now,
      processedKey,
    );
  }
}

/** Only the start fields the browser may pass are kept: metadata is the browser's, and may hold anything. */
function startFields(metadata: unknown) {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { userId, reservationId, startToken } = metadata as Record<string, unknown>;
  return { userId, reservationId, startToken };
}

const PLAUSIBLE_FROM = Date.UTC(2020, 0, 1);
const PLAUSIBLE_UNTIL = Date.UTC(2100, 0, 1);

function finalUsageOf(m: EndOfCallReportMessage) {
  // Only plausible times: a wild one is as good as none (the other fields, or our clock, stand in).
  const date = (v: unknown) => {
    const at = typeof v === "string" ? Date.parse(v) : NaN;
    return at >= PLAUSIBLE_FROM && at <= PLAUSIBLE_UNTIL ? new Date(at).toISOString() : undefined;
  };
  return {
    startedAt: date(m.startedAt),
    endedAt: date(m.endedAt),
    durationSeconds: m.durationSeconds ?? (typeof m.durationMs === "number" ? m.durationMs / 1000 : undefined),
    endedReason: m.endedReason,
    cost: m.cost ?? undefined,
    summary: masked(m.analysis?.summary ?? m.summary),
    transcript: masked(m.artifact?.transcript ?? m.transcript),
    recordingUrl: m.artifact?.recordingUrl ?? m.recordingUrl ?? undefined,
  };
}

/** Transcripts and summaries are kept with phone numbers and emails masked, like the message log. */
const masked = (text: string | null | undefined) => (text ? maskString(text) : undefined);
