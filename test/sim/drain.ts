import { utc } from "@/lib/db/client";
import { BACKGROUND, type World } from "./world";

// The end of a run: faults stop, every message is delivered, and the clock jumps from one due
// thing to the next (a call ending at Vapi, a deadline in our database, the reconciler's grace)
// with all background work run at each, until nothing is left to happen.

const MAX_ROUNDS = 80;
/** Longer than the reconciler's settle grace (60 s), so a call waiting on it is settled next round. */
const IDLE_STEP_MS = 61_000;

export async function drain(w: World): Promise<boolean> {
  w.disarm();
  w.note("Drain: no more faults; deliver everything, run background work until nothing is due");
  for (let round = 0; round < MAX_ROUNDS; round++) {
    w.faults.add("drain rounds");
    for (const m of [...w.vapi.outbox]) await w.deliver(m);
    for (const kind of BACKGROUND) await w.a.background(kind);
    await w.afterStep(`drain round ${round}`);
    const next = await nextDue(w);
    if (next === null) return true;
    w.passTime(next - w.clock);
  }
  w.note(`Drain gave up after ${MAX_ROUNDS} rounds`);
  return false;
}

type Due = { held: number; unprocessed: number; unsettled: number; settled: number; next: number | null };

/** When something is next due, or null when the run is quiet. */
async function nextDue(w: World): Promise<number | null> {
  // Messages Vapi sent meanwhile (or is retrying) go out a second later, with the rest of the world.
  if (w.vapi.outbox.length) return w.clock + 1000;
  const {
    rows: [due],
  } = await w.env.raw.pool.query<Due>(
    `SELECT (SELECT count(*) FROM "Reservation" WHERE "status" = 'HELD')::int AS "held",
            (SELECT count(*) FROM "WebhookEvent" WHERE "outcome" = 'ACCEPTED' AND "processedAt" IS NULL)::int AS "unprocessed",
            (SELECT count(*) FROM "Call" WHERE "settledAt" IS NULL)::int AS "unsettled",
            (SELECT count(*) FROM "Call" WHERE "settledAt" IS NOT NULL)::int AS "settled",
            (EXTRACT(EPOCH FROM (SELECT min(t) FROM (
               SELECT "warnAt" AS t FROM "Call" WHERE "status" = 'ACTIVE' AND "warnedAt" IS NULL
               UNION ALL SELECT "goodbyeAt" FROM "Call" WHERE "status" = 'ACTIVE' AND "goodbyeSaidAt" IS NULL AND "endedAt" IS NULL
               UNION ALL SELECT "endCallDueAt" FROM "Call" WHERE "endCallSentAt" IS NULL AND "endedAt" IS NULL AND "status" IN ('ACTIVE', 'UNAUTHORIZED')
               UNION ALL SELECT "expiresAt" FROM "Reservation" WHERE "status" = 'HELD' AND "vapiCallId" IS NULL
               UNION ALL SELECT "nextAttemptAt" FROM "WebhookEvent" WHERE "processedAt" IS NULL
               UNION ALL SELECT "overridesCheckDueAt" FROM "Call" WHERE "status" = 'ACTIVE' AND "overridesCheckedAt" IS NULL
             ) AS deadlines WHERE t > $1::timestamp)) * 1000)::float8 AS "next"`,
    [utc(new Date(w.clock))],
  );
  const live = w.vapi.nextEventAt();
  const quiet =
    live === undefined && !due.held && !due.unprocessed && !due.unsettled && due.settled === w.vapi.calls.size;
  if (quiet) return null;
  return Math.min(live ?? Infinity, due.next ?? Infinity, w.clock + IDLE_STEP_MS);
}
