import { assertOperator, type CurrentUser } from "@/lib/auth/session";
import { UserFacingError } from "@/lib/auth/validated-action";
import { requestCallEnd } from "@/lib/calls/end-call";
import { END_AFTER_NOTICE_MS } from "@/lib/calls/timing";
import { log } from "@/lib/observability/log";
import { adjust, releaseUnbound } from "@/lib/credits/ledger";
import type { Db } from "@/lib/db/client";
import { operatorActor } from "./operator";
import type { AdjustCreditsInput, SuspensionInput } from "./schemas";

const noSuchUser = () => new UserFacingError("No such user.");

/** Grants (or deducts) credits with a reason; the ledger entry and its audit row commit together, once per key. */
export async function adjustCredits(db: Db, operator: CurrentUser, input: AdjustCreditsInput): Promise<{ available: number; entryId: string }> {
  assertOperator(operator);
  if (!(await db.user.findUnique({ where: { id: input.userId }, select: { id: true } }))) throw noSuchUser();
  const credits = input.direction === "grant" ? input.credits : -input.credits;
  const entry = await adjust(
    db,
    { userId: input.userId, credits, actor: operatorActor(operator), reason: input.reason, idempotencyKey: `operator-adjust:${input.idempotencyKey}` },
    (tx, written) => tx.auditLog.create({
      data: {
        actorId: operator.id,
        action: input.direction === "grant" ? "CREDITS_GRANT" : "CREDITS_DEDUCT",
        targetUserId: input.userId,
        reason: input.reason,
        details: { credits, ledgerEntryId: written.id.toString() },
      },
    }),
  );
  if (entry.userId !== input.userId || entry.availableDelta !== credits) {
    throw new UserFacingError("This form was already used for a different change. Reload the page and try again.");
  }
  const { available } = await db.user.findUniqueOrThrow({ where: { id: input.userId }, select: { available: true } });
  return { available, entryId: entry.id.toString() };
}

/**
 * Suspension and its audit row commit together; suspending twice is refused, not logged twice.
 * Then the account's live calls are ended.
 */
export async function suspendUser(db: Db, operator: CurrentUser, input: SuspensionInput, now = new Date()) {
  assertOperator(operator);
  if (input.userId === operator.id) throw new UserFacingError("You cannot suspend yourself.");
  await db.$transaction(async (tx) => {
    const changed = await tx.user.updateMany({ where: { id: input.userId, suspendedAt: null }, data: { suspendedAt: now, suspendedReason: input.reason } });
    if (changed.count !== 1) {
      const exists = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true } });
      throw exists ? new UserFacingError("This user is already suspended.") : noSuchUser();
    }
    await tx.auditLog.create({ data: { actorId: operator.id, action: "USER_SUSPEND", targetUserId: input.userId, reason: input.reason } });
    // The end of the account's live calls is due in the suspension's own commit: if the notices
    // below fail, the enforcer still ends them (found by the simulator, seed 2142863013).
    const due = new Date(now.getTime() + END_AFTER_NOTICE_MS);
    await tx.call.updateMany({
      where: { userId: input.userId, status: "ACTIVE", endedAt: null, endCallSentAt: null, OR: [{ endCallDueAt: null }, { endCallDueAt: { gt: due } }] },
      data: { endCallDueAt: due },
    });
  });
  const actor = operatorActor(operator);
  // A start not yet bound to a call is let go now; one that binds later is refused (authorizeCall).
  const unbound = await db.reservation.findMany({ where: { userId: input.userId, status: "HELD", vapiCallId: null }, select: { id: true } });
  for (const r of unbound) await releaseUnbound(db, r.id, "account suspended", actor);
  return { suspendedAt: now, liveCallsEnding: await endLiveCalls(db, input.userId, actor, now) };
}

/** A suspended account's live calls end now (spoken notice, then end-call), not at their cutoff. */
async function endLiveCalls(db: Db, userId: string, actor: string, now: Date): Promise<number> {
  const live = await db.call.findMany({ where: { userId, status: "ACTIVE", endedAt: null }, select: { vapiCallId: true } });
  let ending = 0;
  for (const call of live) {
    try {
      if ((await requestCallEnd(db, { vapiCallId: call.vapiCallId, why: "SUSPENDED", actor }, now)).ok) ending++;
    } catch (error) {
      log.error({ callId: call.vapiCallId, userId, err: error }, "Could not speak the suspension notice; the call's end-call is due all the same");
    }
  }
  return ending;
}

export async function unsuspendUser(db: Db, operator: CurrentUser, input: SuspensionInput) {
  assertOperator(operator);
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: { suspendedReason: true } });
    if (!before) throw noSuchUser();
    const changed = await tx.user.updateMany({ where: { id: input.userId, suspendedAt: { not: null } }, data: { suspendedAt: null, suspendedReason: null } });
    if (changed.count !== 1) throw new UserFacingError("This user is not suspended.");
    await tx.auditLog.create({
      data: { actorId: operator.id, action: "USER_UNSUSPEND", targetUserId: input.userId, reason: input.reason, details: { suspendedReason: before.suspendedReason } },
    });
    return { suspendedAt: null };
  });
}
