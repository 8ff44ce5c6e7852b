import { prepared, utc, type Db } from "@/lib/db/client";
import { expireStale } from "@/lib/credits/ledger";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { endCallNow, sayOnCall, type ControlOptions } from "@/lib/vapi/control";
import { addSeconds, END_CALL_LEASE_SECONDS, warnBeforeCutoffSeconds } from "./timing";

export function warning(): string {
  const lead = warnBeforeCutoffSeconds();
  return `Just so you know: about ${lead === 60 ? "one minute" : `${lead} seconds`} left on this call.`;
}
export const GOODBYE = "That's all the time your credits cover today. Thanks for talking, goodbye!";

type Due = { id: string; controlUrl: string | null };
type Ending = Due & { vapiCallId: string; endCallDueAt: Date; cutoffAt: Date | null; lastClaimedAt: Date | null };

/**
 * One pass over the deadlines kept in the database. Each piece of due work is claimed by a
 * conditional update before it is done, so several server processes never do it twice, and a
 * restarted process picks up where the last one stopped. An end-call's claim is a lease
 * (claimDueEndCalls): one whose sender died before sending it is sent again.
 */
export async function enforceOnce(db: Db, control: ControlOptions = {}, now = new Date()) {
  // Plain SQL on the pool, each a prepared statement: they run four times a second in every process
  // that runs the background work, where the ORM's per-query cost showed. Each locks its calls in
  // id order, as the event log's transcript update does, so two of them never deadlock.
  const at = utc(now);
  const { rows: warned } = await db.pool.query<Due>(
    prepared({
      text: `UPDATE "Call" SET "warnedAt" = $1::timestamp
             WHERE "id" IN (SELECT "id" FROM "Call"
                            WHERE "status" = 'ACTIVE' AND "warnAt" <= $1::timestamp AND "warnedAt" IS NULL AND "goodbyeAt" > $1::timestamp
                            ORDER BY "id" FOR UPDATE)
             RETURNING "id", "controlUrl"`,
      values: [at],
    }),
  );
  const { rows: goodbyes } = await db.pool.query<Due>(
    prepared({
      text: `UPDATE "Call" SET "goodbyeSaidAt" = $1::timestamp, "flag" = COALESCE("flag", 'CUTOFF')
             WHERE "id" IN (SELECT "id" FROM "Call"
                            WHERE "status" = 'ACTIVE' AND "goodbyeAt" <= $1::timestamp AND "goodbyeSaidAt" IS NULL AND "endedAt" IS NULL
                            ORDER BY "id" FOR UPDATE)
             RETURNING "id", "controlUrl"`,
      values: [at],
    }),
  );
  const ending = await claimDueEndCalls(db, now);
  const expired = await expireStale(db, now);

  const unanswered: string[] = [];
  await Promise.all([
    ...warned.map((c) => c.controlUrl && sayOnCall(c.controlUrl, warning(), { ...control, endCallAfterSpoken: false })),
    ...goodbyes.map((c) => c.controlUrl && sayOnCall(c.controlUrl, GOODBYE, { ...control, endCallAfterSpoken: true })),
    ...ending.map(async (c) => {
      if (!c.controlUrl) return;
      if (c.lastClaimedAt) {
        metrics.endCallResends.inc();
        log.warn(
          { callId: c.vapiCallId, secondsSinceLastClaim: (now.getTime() - c.lastClaimedAt.getTime()) / 1000 },
          "Sending end-call again: the call has not ended since its last claim",
        );
      } else if (c.cutoffAt?.getTime() === c.endCallDueAt.getTime())
        metrics.cutoffLateness.observe((now.getTime() - c.endCallDueAt.getTime()) / 1000);
      const result = await endCallNow(c.controlUrl, control);
      metrics.endCallAttempts.inc({
        outcome: result.ok ? "ok" : result.status === undefined ? "no-answer" : "refused",
      });
      // An error status means Vapi no longer has the call live; no answer at all is tried again.
      if (!result.ok && result.status === undefined) unanswered.push(c.id);
    }),
  ]);
  // Unanswered end-calls give their claims back, in one statement (when Vapi is slow, that is many
  // at once), so the next pass sends them again, unless another process has taken a claim meanwhile.
  if (unanswered.length)
    await db.pool.query(
      prepared({
        text: `UPDATE "Call" SET "endCallSentAt" = NULL WHERE "id" = ANY($1::text[]) AND "endCallSentAt" = $2::timestamp`,
        values: [unanswered, at],
      }),
    );
  return { warned: warned.length, goodbyes: goodbyes.length, ended: ending.length, expired: expired.length };
}

/**
 * Claims the end-calls due at `now`, and those whose claim has lapsed with the call not ended: the
 * process that claimed one may have died before its POST. A claim lapses END_CALL_LEASE_SECONDS
 * after it was taken, or as long after as it was taken after the due time, whichever is longer:
 * sent again after 10 s, 10 s, 20 s, 40 s…, so a call whose end we never hear of is not sent
 * end-call every 10 s for good. The subquery's row lock makes checking a claim and taking it one
 * step, so of several processes one takes it; `lastClaimedAt` is the lapsed claim's time, null
 * for a first claim.
 */
export async function claimDueEndCalls(db: Db, now: Date): Promise<Ending[]> {
  const { rows } = await db.pool.query<Ending>(
    prepared({
      text: `UPDATE "Call" c SET "endCallSentAt" = $1::timestamp
             FROM (SELECT "id", "endCallSentAt" FROM "Call"
                   WHERE "endCallDueAt" <= $1::timestamp AND "endedAt" IS NULL AND "status" IN ('ACTIVE', 'UNAUTHORIZED')
                     AND ("endCallSentAt" IS NULL OR ("endCallSentAt" <= $2::timestamp
                          AND "endCallSentAt" + ("endCallSentAt" - "endCallDueAt") <= $1::timestamp))
                   ORDER BY "id" FOR UPDATE) due
             WHERE c."id" = due."id"
             RETURNING c."id", c."vapiCallId", c."controlUrl", c."endCallDueAt", c."cutoffAt", due."endCallSentAt" AS "lastClaimedAt"`,
      values: [utc(now), utc(addSeconds(now, -END_CALL_LEASE_SECONDS))],
    }),
  );
  return rows;
}
