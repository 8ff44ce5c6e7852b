import { randomUUID } from "node:crypto";
import { DatabaseError } from "pg";
import { utc, type Db } from "@/lib/db/client";
import { LedgerError } from "@/lib/credits/errors";
import { releaseUnbound } from "@/lib/credits/ledger";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { checkStart, findCall } from "./authorize";
import { markProcessed, markProcessedSql } from "./processed-mark";
import type { FinalUsage } from "./settle";

/** Vapi's endedReason for a call refused because the account was at its concurrency limit (vapi-protocol.md §6.4). */
export const LINES_BUSY = "call.start.error-subscription-concurrency-limit-reached";

/** The reasons besides `call.start.error-*` that vapi-protocol.md §6.5 lists as "the call never started". */
const NEVER_STARTED = new Set(["assistant-not-found", "assistant-not-valid"]);
/**
 * Reasons for a call that was created but that nobody joined: the assistant (§6.5 "the assistant
 * never joined") or, in the emulator's default, the customer. With no start time and no seconds
 * either, such a call never ran: most often a start the page had given up on.
 */
const NOBODY_JOINED = new Set(["assistant-join-timed-out", "customer-did-not-answer"]);

/** The ledger's reason for a reservation given back because Vapi ended its call before it started. */
export const refusedReason = (endedReason: string) =>
  endedReason === LINES_BUSY
    ? "all lines were busy (Vapi's concurrency limit)"
    : NOBODY_JOINED.has(endedReason)
      ? `the call never started (${endedReason})`
      : `Vapi refused to start the call (${endedReason})`;

/**
 * Vapi ended the call before it started (`call.start.error-*` and the others of §6.5 for "the
 * call never started", or nobody joined it), by its own word: no start time and no seconds. It
 * never ran, so there is nothing to bill, and no start token was used up by it. Any other reason
 * is a call that may have run.
 */
export function refusedAtStart(u: { endedReason?: string; startedAt?: Date; durationSeconds?: number }): boolean {
  const reason = u.endedReason ?? "";
  const neverStarted = reason.startsWith("call.start.error-") || NEVER_STARTED.has(reason) || NOBODY_JOINED.has(reason);
  return neverStarted && !u.startedAt && !((u.durationSeconds ?? 0) > 0);
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
  processedKey?: string,
) {
  const at = u.endedAt ?? now;
  const { claims, invalidFor } = checkStart(u.sighting.metadata, secret, at);
  const owner = claims && !invalidFor ? claims : null;
  if (owner) await releaseIfUnbound(db, owner.reservationId, refusedReason(u.endedReason), `vapi:${u.source}`);
  const user = owner ? await db.user.findUnique({ where: { id: owner.userId }, select: { id: true } }) : null;
  let settledNow = false;
  try {
    await db.pool.query({
      text: `WITH created AS (
               INSERT INTO "Call" ("id", "vapiCallId", "userId", "status", "startedAt", "endedAt", "endedReason", "usedSeconds",
                                   "creditsCharged", "vapiCost", "vapiStatus", "settledAt", "createdAt", "updatedAt")
               VALUES ($1, $2, $3, 'SETTLED', $4::timestamp, $4::timestamp, $5, 0, 0, $6, 'ended', $7::timestamp, $7::timestamp, $7::timestamp)
             )
             ${markProcessedSql("$8", "$7")}`,
      values: [
        randomUUID(),
        u.vapiCallId,
        user?.id ?? null,
        utc(at),
        u.endedReason,
        u.cost ?? 0,
        utc(now),
        processedKey ?? null,
      ],
    });
    settledNow = true;
  } catch (error) {
    if (!(error instanceof DatabaseError && error.code === "23505")) throw error;
    await markProcessed(db.pool, processedKey, now); // another message, or the page's give-up, recorded it first
  }
  if (settledNow) {
    metrics.startsRefused.inc({ reason: u.endedReason === LINES_BUSY ? "lines-busy" : "other" });
    log.info({ callId: u.vapiCallId, userId: user?.id, endedReason: u.endedReason }, "Vapi refused the call's start");
  }
  return { call: (await findCall(db, u.vapiCallId))!, settledNow };
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
