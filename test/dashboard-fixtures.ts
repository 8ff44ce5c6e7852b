// Test data for the dashboard's tests: accounts as the session sees them, and calls billed
// through the real ledger (reserve → bind → capture), so the invariants hold afterwards.
import { randomUUID } from "node:crypto";
import type { CurrentUser } from "@/lib/auth/session";
import { capture, reserve } from "@/lib/credits/ledger";
import type { Db } from "@/lib/db/client";
import type { CallFlag, User } from "@/lib/generated/prisma/client";

export const asCurrentUser = (u: User): CurrentUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  suspendedAt: u.suspendedAt,
  available: u.available,
  held: u.held,
});

/** Who asks for the dashboard's reads in tests about what they return: they check the role, not the row. */
export const anOperator: CurrentUser = {
  id: "test-operator",
  email: "operator@example.test",
  name: null,
  role: "OPERATOR",
  suspendedAt: null,
  available: 0,
  held: 0,
};

type CallFacts = {
  startedAt: Date;
  usedSeconds?: number;
  vapiCost?: number;
  endedReason?: string;
  transcript?: string;
  cutoffAt?: Date;
  flag?: CallFlag;
};

/** A call holding `held` credits; settled (capturing `charged`) unless `live`. */
export async function billedCall(
  db: Db,
  userId: string,
  o: CallFacts & { held: number; charged?: number; live?: boolean },
) {
  const vapiCallId = `vapi-${randomUUID()}`;
  const reservation = await reserve(db, {
    userId,
    minCredits: 1,
    maxCredits: o.held,
    secondsFor: (c) => c * 6,
    expiresAt: new Date(Date.now() + 60_000),
    idempotencyKey: randomUUID(),
    actor: userId,
  });
  await db.reservation.update({ where: { id: reservation.id }, data: { vapiCallId, boundAt: new Date() } });
  if (!o.live) await capture(db, reservation.id, o.charged ?? 0);
  return db.call.create({
    data: {
      vapiCallId,
      userId,
      reservationId: reservation.id,
      status: o.live ? "ACTIVE" : "SETTLED",
      startedAt: o.startedAt,
      cutoffAt: o.cutoffAt,
      transcript: o.transcript,
      endedReason: o.endedReason,
      flag: o.flag,
      endedAt: o.live ? null : new Date(o.startedAt.getTime() + (o.usedSeconds ?? 0) * 1000),
      usedSeconds: o.live ? null : (o.usedSeconds ?? 0),
      creditsCharged: o.live ? null : (o.charged ?? 0),
      vapiCost: o.vapiCost,
      settledAt: o.live ? null : new Date(),
    },
  });
}

/** A call nobody authorized: no reservation, nothing billed, Vapi's cost all the same. */
export function unauthorizedCall(db: Db, o: CallFacts & { userId?: string }) {
  return db.call.create({
    data: {
      vapiCallId: `vapi-${randomUUID()}`,
      userId: o.userId,
      status: "UNAUTHORIZED",
      flag: o.flag ?? "MISSING_TOKEN",
      startedAt: o.startedAt,
      usedSeconds: o.usedSeconds,
      vapiCost: o.vapiCost,
      endedReason: o.endedReason,
    },
  });
}
