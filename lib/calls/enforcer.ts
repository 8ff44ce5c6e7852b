import type { Db } from "@/lib/db/client";
import { expireStale } from "@/lib/credits/ledger";
import { metrics } from "@/lib/observability/metrics";
import { endCallNow, sayOnCall, type ControlOptions } from "@/lib/vapi/control";
import { warnBeforeCutoffSeconds } from "./timing";

export function warning(): string {
  const lead = warnBeforeCutoffSeconds();
  return `Just so you know: about ${lead === 60 ? "one minute" : `${lead} seconds`} left on this call.`;
}
export const GOODBYE = "That's all the time your credits cover today. Thanks for talking, goodbye!";

type Due = { id: string; controlUrl: string | null };
type Ending = Due & { endCallDueAt: Date; cutoffAt: Date | null };

/**
 * One pass over the deadlines kept in the database. Each piece of due work is claimed by a
 * conditional update before it is done, so several server processes never do it twice, and a
 * restarted process picks up where the last one stopped.
 */
export async function enforceOnce(db: Db, control: ControlOptions = {}, now = new Date()) {
  const warned = await db.$queryRaw<Due[]>`
    UPDATE "Call" SET "warnedAt" = ${now}
    WHERE "status" = 'ACTIVE' AND "warnAt" <= ${now} AND "warnedAt" IS NULL AND "goodbyeAt" > ${now}
    RETURNING "id", "controlUrl"`;
  const goodbyes = await db.$queryRaw<Due[]>`
    UPDATE "Call" SET "goodbyeSaidAt" = ${now}, "flag" = COALESCE("flag", 'CUTOFF')
    WHERE "status" = 'ACTIVE' AND "goodbyeAt" <= ${now} AND "goodbyeSaidAt" IS NULL AND "endedAt" IS NULL
    RETURNING "id", "controlUrl"`;
  const ending = await db.$queryRaw<Ending[]>`
    UPDATE "Call" SET "endCallSentAt" = ${now}
    WHERE "endCallDueAt" <= ${now} AND "endCallSentAt" IS NULL AND "endedAt" IS NULL AND "status" IN ('ACTIVE', 'UNAUTHORIZED')
    RETURNING "id", "controlUrl", "endCallDueAt", "cutoffAt"`;

  await Promise.all([
    ...warned.map((c) => c.controlUrl && sayOnCall(c.controlUrl, warning(), { ...control, endCallAfterSpoken: false })),
    ...goodbyes.map((c) => c.controlUrl && sayOnCall(c.controlUrl, GOODBYE, { ...control, endCallAfterSpoken: true })),
    ...ending.map(async (c) => {
      if (!c.controlUrl) return;
      if (c.cutoffAt?.getTime() === c.endCallDueAt.getTime())
        metrics.cutoffLateness.observe((now.getTime() - c.endCallDueAt.getTime()) / 1000);
      const result = await endCallNow(c.controlUrl, control);
      metrics.endCallAttempts.inc({
        outcome: result.ok ? "ok" : result.status === undefined ? "no-answer" : "refused",
      });
      // No answer at all: try again next tick. An error status means Vapi no longer has the call live.
      if (!result.ok && result.status === undefined)
        await db.call.update({ where: { id: c.id }, data: { endCallSentAt: null } });
    }),
  ]);
  const expired = await expireStale(db, now);
  return { warned: warned.length, goodbyes: goodbyes.length, ended: ending.length, expired: expired.length };
}
