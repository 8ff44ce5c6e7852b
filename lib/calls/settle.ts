import type { Db } from "@/lib/db/client";
import { utc } from "@/lib/db/client";
import type { AlertKind, Prisma } from "@/lib/generated/prisma/client";
import { capture } from "@/lib/credits/ledger";
import { creditsForSeconds, type Pricing } from "@/lib/credits/pricing";
import { MAX_REPORTED_CALL_SECONDS } from "@/lib/vapi/messages";
import { metrics } from "@/lib/observability/metrics";
import { authorizeCall, type CallSighting } from "./authorize";
import { refusedAtStart, settleRefusedStart } from "./refused-start";

/** Alerts whose `seconds` are leakage: filled in when the call is settled. */
export const LEAKAGE_ALERT_KINDS: AlertKind[] = ["UNAUTHORIZED_CALL", "TAMPERED_CALL"];

/** How a call ended, from an end-of-call report or Vapi's REST record. */
export type FinalUsage = {
  vapiCallId: string;
  startedAt?: Date;
  endedAt?: Date;
  durationSeconds?: number;
  endedReason?: string;
  cost?: number;
  summary?: string;
  transcript?: string;
  recordingUrl?: string;
  sighting: Omit<CallSighting, "startedAt" | "live">;
  source: "end-of-call-report" | "vapi-rest";
};

/** Work that must commit together with the settlement (marking the message that asked for it processed). */
export type Alongside = (tx: Prisma.TransactionClient) => Promise<unknown>;

/** Seconds the call used; never negative, never more than Vapi lets a call last (so a wild clock cannot overflow a column). */
function usedSeconds(u: FinalUsage, fallbackStart: Date, now: Date): number {
  const seconds =
    u.durationSeconds !== undefined && Number.isFinite(u.durationSeconds)
      ? u.durationSeconds
      : ((u.endedAt ?? now).getTime() - (u.startedAt ?? fallbackStart).getTime()) / 1000;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, seconds), MAX_REPORTED_CALL_SECONDS) : 0;
}

/**
 * Turns an ended call into a capture of what it used and a release of the rest, exactly once:
 * the capture, the call's bill and `alongside` commit in one transaction, the capture is
 * idempotent per reservation and the call row is settled only once. A call we never saw start is
 * authorized first (messages arrive out of order). `settledNow` says whether this was the
 * settling (false when a report or another process got there first).
 */
export async function settleCall(
  db: Db,
  u: FinalUsage,
  secret: string,
  pricing: Pricing,
  now = new Date(),
  alongside?: Alongside,
) {
  // A call Vapi refused at its start (its concurrency limit…) never ran: not a call to authorize or bill.
  if (u.endedReason && refusedAtStart(u) && !(await db.call.findUnique({ where: { vapiCallId: u.vapiCallId } })))
    return settleRefusedStart(db, { ...u, endedReason: u.endedReason }, secret, now, alongside);
  const { call } = await authorizeCall(db, { ...u.sighting, startedAt: u.startedAt ?? now, live: false }, secret, now);
  if (call.settledAt) {
    if (alongside) await db.$transaction(alongside);
    return { call, settledNow: false };
  }
  const seconds = usedSeconds(u, call.startedAt, now);
  const status = call.status === "UNAUTHORIZED" ? "UNAUTHORIZED" : "SETTLED";
  const bill = async (tx: Prisma.TransactionClient, charged: number) => {
    const settled = await tx.call.updateMany({
      where: { id: call.id, settledAt: null },
      data: {
        usedSeconds: Math.ceil(seconds),
        creditsCharged: charged,
        endedAt: u.endedAt ?? call.endedAt ?? now,
        endedReason: u.endedReason ?? call.endedReason,
        vapiCost: u.cost,
        summary: u.summary,
        transcript: u.transcript ?? call.transcript,
        recordingUrl: u.recordingUrl,
        vapiStatus: "ended",
        settledAt: now,
        status,
      },
    });
    if (settled.count) {
      // Leakage, by Vapi's record: how long a call we did not authorize, or that was tampered with, ran.
      await tx.alert.updateMany({
        where: { vapiCallId: u.vapiCallId, kind: { in: LEAKAGE_ALERT_KINDS } },
        data: { seconds: Math.ceil(seconds) },
      });
    }
    await alongside?.(tx);
    return settled.count === 1;
  };
  let settledNow = false;
  if (call.reservationId) {
    await capture(
      db,
      call.reservationId,
      creditsForSeconds(seconds, pricing),
      `vapi:${u.source}`,
      async (tx, closed) => {
        settledNow = await bill(tx, closed.capturedCredits);
      },
    );
  } else {
    settledNow = await db.$transaction((tx) => bill(tx, 0));
  }
  if (settledNow && status === "UNAUTHORIZED") metrics.unauthorizedCallSeconds.inc(Math.ceil(seconds));
  return { call: await db.call.findUniqueOrThrow({ where: { id: call.id } }), settledNow };
}

/**
 * Vapi says the call ended: stop enforcing it; billing waits for the report (or the reconciler).
 * One statement; `processedKey` names a webhook message marked processed in it.
 */
export async function markCallEnded(
  db: Db,
  vapiCallId: string,
  endedReason: string | undefined,
  now = new Date(),
  processedKey?: string,
) {
  await db.pool.query({
    text: `WITH ended AS (
       UPDATE "Call" SET
         "endedReason" = CASE WHEN "endedAt" IS NULL THEN COALESCE($3, "endedReason") ELSE "endedReason" END,
         "vapiStatus" = CASE WHEN "endedAt" IS NULL THEN 'ended' ELSE "vapiStatus" END,
         "endedAt" = COALESCE("endedAt", $2::timestamp),
         "status" = CASE WHEN "status" = 'ACTIVE' THEN 'ENDED'::"CallStatus" ELSE "status" END,
         "updatedAt" = $2::timestamp
       WHERE "vapiCallId" = $1 AND ("endedAt" IS NULL OR "status" = 'ACTIVE')
       RETURNING 1
     )
     UPDATE "WebhookEvent" SET "processedAt" = $2::timestamp, "action" = NULL, "nextAttemptAt" = NULL
     WHERE "dedupeKey" = $4 AND "processedAt" IS NULL`,
    values: [vapiCallId, utc(now), endedReason ?? null, processedKey ?? null],
  });
}
