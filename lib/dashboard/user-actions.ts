import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import { UserFacingError } from "@/lib/auth/validated-action";
import { suspendAccount } from "@/lib/calls/suspend";
import { adjust } from "@/lib/credits/ledger";
import type { Db } from "@/lib/db/client";
import { operatorActor } from "./operator";
import type { AdjustCreditsInput, SuspensionInput } from "./schemas";

const noSuchUser = () => new UserFacingError("No such user.");

/** Grants (or deducts) credits with a reason; the ledger entry and its audit row commit together, once per key. */
export async function adjustCredits(
  db: Db,
  operator: CurrentUser,
  input: AdjustCreditsInput,
): Promise<{ available: number; entryId: string }> {
  assertOperator(operator);
  if (!(await db.user.findUnique({ where: { id: input.userId }, select: { id: true } }))) throw noSuchUser();
  const credits = input.direction === "grant" ? input.credits : -input.credits;
  const entry = await adjust(
    db,
    {
      userId: input.userId,
      credits,
      actor: operatorActor(operator),
      reason: input.reason,
      idempotencyKey: `operator-adjust:${input.idempotencyKey}`,
    },
    (tx, written) =>
      tx.auditLog.create({
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

/** Suspends an account (lib/calls/suspend.ts, as the tamper check does); suspending twice is refused, not logged twice. */
export async function suspendUser(db: Db, operator: CurrentUser, input: SuspensionInput, now = new Date()) {
  assertOperator(operator);
  if (input.userId === operator.id) throw new UserFacingError("You cannot suspend yourself.");
  const result = await suspendAccount(
    db,
    { userId: input.userId, reason: input.reason, auditActorId: operator.id, ledgerActor: operatorActor(operator) },
    now,
  );
  if (result.outcome !== "suspended")
    throw result.outcome === "no-such-user" ? noSuchUser() : new UserFacingError("This user is already suspended.");
  return { suspendedAt: result.suspendedAt, liveCallsEnding: result.liveCallsEnding };
}

export async function unsuspendUser(db: Db, operator: CurrentUser, input: SuspensionInput) {
  assertOperator(operator);
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: { suspendedReason: true } });
    if (!before) throw noSuchUser();
    const changed = await tx.user.updateMany({
      where: { id: input.userId, suspendedAt: { not: null } },
      data: { suspendedAt: null, suspendedReason: null },
    });
    if (changed.count !== 1) throw new UserFacingError("This user is not suspended.");
    await tx.auditLog.create({
      data: {
        actorId: operator.id,
        action: "USER_UNSUSPEND",
        targetUserId: input.userId,
        reason: input.reason,
        details: { suspendedReason: before.suspendedReason },
      },
    });
    return { suspendedAt: null };
  });
}
