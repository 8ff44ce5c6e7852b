import { prepared, utc, type Db } from "@/lib/db/client";
import { findForbiddenOverrides } from "@/lib/vapi/overrides";
import type { VapiRestClient } from "@/lib/vapi/rest";
import { log } from "@/lib/observability/log";
import { requestCallEnd } from "./end-call";
import { TAMPER_CHECK_ACTOR, suspendAccount } from "./suspend";
import { MAX_DURATION_GRACE_SECONDS } from "./timing";

type Unchecked = {
  id: string;
  vapiCallId: string;
  userId: string | null;
  seconds: number;
  overridesCheckFailures: number;
};

const MAX_BACKOFF_SECONDS = 300;
/**
 * Calls read back from Vapi per pass (four passes a second), the oldest first. Unbounded, a burst
 * of new calls became hundreds of reads at once: they timed out together against a busy Vapi, and
 * their hundreds of failure writes held the worker's event loop for seconds, cutoffs among it.
 */
const CALLS_PER_PASS = 25;
/** Longer than a check takes: reading one call from Vapi, and at worst a notice and a suspension. */
const CLAIM_LEASE_SECONDS = 60;

/**
 * Reads each newly authorized call back from Vapi and compares the overrides the browser sent
 * with what we allow. Anything that could hide the call from us or run it on our bill ends the
 * call at once and suspends the user for review; a raised maxDurationSeconds is only recorded,
 * because our own cutoff still ends the call.
 */
export async function checkNewCallsForTampering(db: Db, rest: VapiRestClient, now = new Date()) {
  // A claim is a lease, not a verdict: a check that dies half-way (a crash, a failed write) is
  // taken up again once it lapses. Only a check that finished marks the call checked.
  const claimed = await db.$queryRaw<Unchecked[]>`
    UPDATE "Call" c SET "overridesCheckDueAt" = ${new Date(now.getTime() + CLAIM_LEASE_SECONDS * 1000)}
    FROM "Reservation" r
    WHERE c."reservationId" = r."id"
      AND c."id" IN (SELECT "id" FROM "Call"
                     WHERE "status" = 'ACTIVE' AND "overridesCheckedAt" IS NULL
                       AND ("overridesCheckDueAt" IS NULL OR "overridesCheckDueAt" <= ${now})
                     -- SKIP LOCKED: it waits on no lock, so it cannot deadlock with the statements
                     -- that lock several calls in id order.
                     ORDER BY "createdAt" LIMIT ${CALLS_PER_PASS} FOR UPDATE SKIP LOCKED)
    RETURNING c."id", c."vapiCallId", c."userId", r."seconds", c."overridesCheckFailures"`;
  await Promise.all(claimed.map((call) => checkOne(db, rest, call, now)));
  return claimed.length;
}

async function checkOne(db: Db, rest: VapiRestClient, call: Unchecked, now: Date) {
  try {
    await inspect(db, rest, call, now);
  } catch (error) {
    // Unchecked is not the same as clean: Vapi's read or one of our own writes failed. Try again,
    // after a pause that grows while the failures go on (should this write fail too, the lease lapses).
    const failures = call.overridesCheckFailures + 1;
    if (failures === 1)
      log.warn({ callId: call.vapiCallId, err: error }, "Could not check the call's overrides; retrying with backoff");
    // Plain SQL, as for a clean call: when Vapi is slow, many of these come at once.
    await db.pool.query(
      prepared({
        text: `UPDATE "Call" SET "overridesCheckFailures" = $2, "overridesCheckDueAt" = $3::timestamp WHERE "id" = $1`,
        values: [call.id, failures, utc(new Date(now.getTime() + Math.min(2 ** failures, MAX_BACKOFF_SECONDS) * 1000))],
      }),
    );
  }
}

/** One claimed call: read back from Vapi, acted on if it overrode what it may not, then marked checked. */
async function inspect(db: Db, rest: VapiRestClient, call: Unchecked, now: Date) {
  const record = await rest.getCall(call.vapiCallId);
  const checked = (tx: Pick<Db, "call">) =>
    tx.call.update({ where: { id: call.id }, data: { overridesCheckedAt: now, overridesCheckDueAt: null } });
  if (call.overridesCheckFailures > 0)
    log.info(
      { callId: call.vapiCallId, failures: call.overridesCheckFailures },
      "Read the call from Vapi after failed attempts",
    );
  const forbidden = findForbiddenOverrides(record.assistantOverrides, {
    maxDurationSeconds: call.seconds + MAX_DURATION_GRACE_SECONDS,
  });
  // The usual outcome, once for every call: plain SQL, as the ORM's per-query cost shows at a thousand calls.
  if (!forbidden.length)
    return void (await db.pool.query(
      prepared({
        text: `UPDATE "Call" SET "overridesCheckedAt" = $2::timestamp, "overridesCheckDueAt" = NULL WHERE "id" = $1`,
        values: [call.id, utc(now)],
      }),
    ));
  const onlyDuration = forbidden.every((key) => key === "maxDurationSeconds");
  const controlUrl = record.monitor?.controlUrl;
  let outcome = "our cutoff still ends it";
  if (!onlyDuration) {
    // Flagged before anything else: the suspension below then leaves this call to its own notice instead of telling it twice.
    await db.call.update({ where: { id: call.id }, data: { flag: "TAMPER" } });
    if (controlUrl) await db.call.updateMany({ where: { id: call.id, controlUrl: null }, data: { controlUrl } });
    outcome = controlUrl
      ? (await requestCallEnd(db, { vapiCallId: call.vapiCallId, why: "TAMPER", actor: TAMPER_CHECK_ACTOR }, now))
          .detail
      : "it has no control URL: it runs until Vapi's own limit, and is billed when it ends";
    if (call.userId) {
      const reason = `Call ${call.vapiCallId} overrode ${forbidden.join(", ")}; pending review.`;
      await suspendAccount(
        db,
        { userId: call.userId, reason, auditActorId: TAMPER_CHECK_ACTOR, ledgerActor: TAMPER_CHECK_ACTOR },
        now,
      );
    }
  } else {
    await db.call.update({ where: { id: call.id }, data: { flag: "RAISED_MAX_DURATION" } });
  }
  // Settlement fills in a tampered call's seconds (its leakage); a call that was settled meanwhile has them already.
  const { usedSeconds } = await db.call.findUniqueOrThrow({ where: { id: call.id }, select: { usedSeconds: true } });
  await db.$transaction(async (tx) => {
    await tx.alert.create({
      data: {
        kind: onlyDuration ? "RAISED_MAX_DURATION" : "TAMPERED_CALL",
        userId: call.userId,
        vapiCallId: call.vapiCallId,
        seconds: onlyDuration ? 0 : (usedSeconds ?? 0),
        message: `The browser overrode ${forbidden.join(", ")}: ${outcome}.${onlyDuration ? "" : " The user is suspended pending review."}`,
      },
    });
    await checked(tx);
  });
}
