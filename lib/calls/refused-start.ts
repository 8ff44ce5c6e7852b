import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { LedgerError } from "@/lib/credits/errors";
import { releaseUnbound } from "@/lib/credits/ledger";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { checkStart } from "./authorize";
import type { Alongside, FinalUsage } from "./settle";

/** Vapi's endedReason for a call refused because the account was at its concurrency limit (vapi-protocol.md §6.4). */
export const LINES_BUSY = "call.start.error-subscription-concurrency-limit-reached";

/** The ledger's reason for a reservation given back because Vapi refused its call at the start. */
export const refusedReason = (endedReason: string) =>
  endedReason === LINES_BUSY
    ? "all lines were busy (Vapi's concurrency limit)"
    : `Vapi refused to start the call (${endedReason})`;

/**
 * Vapi refused the call before it started (`call.start.error-*`, §6.5: "the call never started"):
 * it never ran, so there is nothing to bill, and no start token was used up by it.
 */
export function refusedAtStart(u: { endedReason?: string; startedAt?: Date; durationSeconds?: number }): boolean {
  return (u.endedReason?.startsWith("call.start.error-") ?? false) && !u.startedAt && !((u.durationSeconds ?? 0) > 0);
}

/**
 * Records, once, a call Vapi refused at its start: a call row that cost nothing (SETTLED, 0 s, 0
 * credits, Vapi's reason: what the dashboard counts), with no unauthorized alert since it never
 * ran. The reservation its valid start token names goes back at once if no call is bound to it;
 * one the page gave back already, or that expired, stays as it is. From Vapi's word only (a
 * verified message, or Vapi's REST record): never the browser's.
 */
export async function settleRefusedStart(
  db: Db,
  u: FinalUsage & { endedReason: string },
  secret: string,
  now: Date,
  alongside?: Alongside,
) {
  const at = u.endedAt ?? now;
  const { claims, invalidFor } = checkStart(u.sighting.metadata, secret, at);
  const owner = claims && !invalidFor ? claims : null;
  if (owner) await releaseIfUnbound(db, owner.reservationId, refusedReason(u.endedReason), `vapi:${u.source}`);
  const user = owner ? await db.user.findUnique({ where: { id: owner.userId }, select: { id: true } }) : null;
  let settledNow = false;
  try {
    await db.$transaction(async (tx) => {
      await tx.call.create({
        data: {
          vapiCallId: u.vapiCallId,
          userId: user?.id,
          status: "SETTLED",
          startedAt: at,
          endedAt: at,
          endedReason: u.endedReason,
          usedSeconds: 0,
          creditsCharged: 0,
          vapiCost: u.cost ?? 0,
          vapiStatus: "ended",
          settledAt: now,
        },
      });
      await alongside?.(tx);
    });
    settledNow = true;
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    if (alongside) await db.$transaction(alongside); // another message, or the page's give-up, recorded it first
  }
  if (settledNow) {
    metrics.startsRefused.inc({ reason: u.endedReason === LINES_BUSY ? "lines-busy" : "other" });
    log.info({ callId: u.vapiCallId, userId: user?.id, endedReason: u.endedReason }, "Vapi refused the call's start");
  }
  return { call: await db.call.findUniqueOrThrow({ where: { vapiCallId: u.vapiCallId } }), settledNow };
}

/** Gives a reservation back unless a call is bound to it or it is already closed (released, expired). */
async function releaseIfUnbound(db: Db, reservationId: string, why: string, actor: string) {
  try {
    await releaseUnbound(db, reservationId, why, actor);
  } catch (error) {
    if (error instanceof LedgerError && (error.code === "reservation-closed" || error.code === "not-found")) return;
    throw error;
  }
}
