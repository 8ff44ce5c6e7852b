import type { Db } from "@/lib/db/client";
import { releaseUnbound } from "@/lib/credits/ledger";
import { log } from "@/lib/observability/log";
import { requestCallEnd } from "./end-call";
import { END_AFTER_NOTICE_MS } from "./timing";

/** The tamper check, as it appears in the audit log's actorId and the ledger's actor column. */
export const TAMPER_CHECK_ACTOR = "system:tamper-check";

export type Suspension = {
  userId: string;
  reason: string;
  /** The audit row's actorId: an operator's user id, or TAMPER_CHECK_ACTOR. */
  auditActorId: string;
  /** The ledger's actor for the reservations let go (`operator:<id>`, or TAMPER_CHECK_ACTOR). */
  ledgerActor: string;
};

export type SuspensionResult =
  | { outcome: "suspended"; suspendedAt: Date; liveCallsEnding: number }
  | { outcome: "already-suspended" | "no-such-user" };

/**
 * Suspends an account, whoever asks (an operator, the tamper check): the suspension, its audit
 * row and the due end of the account's live calls commit together; then starts not yet bound to a
 * call are released and the live calls hear a notice and end. Suspending twice changes nothing.
 */
export async function suspendAccount(db: Db, s: Suspension, now = new Date()): Promise<SuspensionResult> {
  const unchanged = await db.$transaction(async (tx) => {
    const changed = await tx.user.updateMany({
      where: { id: s.userId, suspendedAt: null },
      data: { suspendedAt: now, suspendedReason: s.reason },
    });
    if (changed.count !== 1) {
      const exists = await tx.user.findUnique({ where: { id: s.userId }, select: { id: true } });
      return exists ? ("already-suspended" as const) : ("no-such-user" as const);
    }
    await tx.auditLog.create({
      data: { actorId: s.auditActorId, action: "USER_SUSPEND", targetUserId: s.userId, reason: s.reason },
    });
    // The end of the account's live calls is due in the suspension's own commit: if the notices
    // below fail, the enforcer still ends them (found by the simulator, seed 2142863013).
    const due = new Date(now.getTime() + END_AFTER_NOTICE_MS);
    await tx.call.updateMany({
      where: {
        userId: s.userId,
        status: "ACTIVE",
        endedAt: null,
        endCallSentAt: null,
        OR: [{ endCallDueAt: null }, { endCallDueAt: { gt: due } }],
      },
      data: { endCallDueAt: due },
    });
    return null;
  });
  if (unchanged) return { outcome: unchanged };
  // A start not yet bound to a call is let go now; one that binds later is unauthorized (authorizeCall).
  const unbound = await db.reservation.findMany({
    where: { userId: s.userId, status: "HELD", vapiCallId: null },
    select: { id: true },
  });
  for (const r of unbound) await releaseUnbound(db, r.id, "account suspended", s.ledgerActor);
  return {
    outcome: "suspended",
    suspendedAt: now,
    liveCallsEnding: await endLiveCalls(db, s.userId, s.ledgerActor, now),
  };
}

/**
 * A suspended account's live calls end now (spoken notice, then end-call), not at their cutoff.
 * A call our side is already ending (an operator's or the tamper check's request) is not told twice.
 */
async function endLiveCalls(db: Db, userId: string, actor: string, now: Date): Promise<number> {
  const live = await db.call.findMany({
    where: {
      userId,
      status: "ACTIVE",
      endedAt: null,
      OR: [{ flag: null }, { flag: { notIn: ["OPERATOR", "TAMPER", "SUSPENDED"] } }],
    },
    select: { vapiCallId: true },
  });
  let ending = 0;
  for (const call of live) {
    try {
      if ((await requestCallEnd(db, { vapiCallId: call.vapiCallId, why: "SUSPENDED", actor }, now)).ok) ending++;
    } catch (error) {
      log.error(
        { callId: call.vapiCallId, userId, err: error },
        "Could not speak the suspension notice; the call's end-call is due all the same",
      );
    }
  }
  return ending;
}
