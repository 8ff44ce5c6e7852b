import type { Db } from "@/lib/db/client";
import { releaseUnbound } from "@/lib/credits/ledger";
import type { Pricing } from "@/lib/credits/pricing";
import type { CallFlag } from "@/lib/generated/prisma/client";
import { log } from "@/lib/observability/log";
import type { VapiRestClient } from "@/lib/vapi/rest";
import { warning } from "./enforcer";
import { LINES_BUSY, refusedAtStart } from "./refused-start";
import { settleCall } from "./settle";

export type CoachCallState = {
  /** `expired`: no call started before the reservation's expiresAt. `released`: the page gave the start up. */
  phase: "waiting" | "live" | "ended" | "settled" | "unauthorized" | "expired" | "released";
  /** Seconds until the server ends the call; the page's countdown shows this, not its own clock. */
  secondsLeft: number | null;
  /** The cutoff warning, once the coach has been asked to say it. */
  warning: string | null;
  endedBy: EndedBy | null;
  usedSeconds: number | null;
  creditsCharged: number | null;
  balance: number;
  /** Credits the account holds for calls (this one while it runs), as the balance line shows them. */
  held: number;
};

export type EndedBy = "credits" | "operator" | "tamper" | "suspended" | "unauthorized";

/** Why our side ended a paid call early, as the caller's page says it; other flags are not the caller's business. */
const ENDED_BY: Partial<Record<CallFlag, EndedBy>> = {
  CUTOFF: "credits",
  OPERATOR: "operator",
  TAMPER: "tamper",
  SUSPENDED: "suspended",
};

/** What the caller's page shows about its own reservation: the server's truth, owner-checked. */
export async function coachCallState(
  db: Db,
  userId: string,
  reservationId: string,
  now = new Date(),
): Promise<CoachCallState | null> {
  const reservation = await db.reservation.findFirst({
    where: { id: reservationId, userId },
    include: { call: true, user: { select: { available: true, held: true } } },
  });
  if (!reservation) return null;
  const call = reservation.call;
  const endedBy = (call?.flag && ENDED_BY[call.flag]) ?? null;
  const base = {
    balance: reservation.user.available,
    held: reservation.user.held,
    warning: null,
    endedBy,
    usedSeconds: call?.usedSeconds ?? null,
    creditsCharged: call?.creditsCharged ?? null,
  } as const;
  if (!call)
    return {
      ...base,
      phase: reservation.status === "HELD" ? "waiting" : reservation.status === "EXPIRED" ? "expired" : "released",
      secondsLeft: null,
    };
  if (call.status === "SETTLED") return { ...base, phase: "settled", secondsLeft: 0 };
  if (call.status === "UNAUTHORIZED")
    return { ...base, phase: "unauthorized", endedBy: "unauthorized", secondsLeft: 0 };
  if (call.status === "ENDED" || call.endedAt) return { ...base, phase: "ended", secondsLeft: 0 };
  const secondsLeft = call.cutoffAt ? Math.max(0, Math.round((call.cutoffAt.getTime() - now.getTime()) / 1000)) : null;
  return { ...base, phase: "live", secondsLeft, warning: call.warnedAt ? warning() : null };
}

/** The page could not start the call (microphone, network, Vapi refused): give the credits back now. */
export async function cancelUnstartedCall(db: Db, userId: string, reservationId: string) {
  const reservation = await db.reservation.findFirst({ where: { id: reservationId, userId, status: "HELD" } });
  if (!reservation) return false;
  return (await releaseUnbound(db, reservationId, "the call did not start", userId)) !== null;
}

export type GivenUp = {
  /** Vapi refused the call because all its lines (its concurrency limit) were busy, by Vapi's own record. */
  linesBusy: boolean;
  /** The reservation as the page shows it now: released, the balance back. Null when it is not the caller's. */
  state: CoachCallState | null;
};

type VapiAccess = { rest: VapiRestClient | null; startTokenSecret: string; pricing: Pricing };

/**
 * The page gave a start up: its own reservation that no call is bound to goes back at once, as
 * cancelUnstartedCall does, whatever the browser says. `vapiCallId` is the id Vapi gave the call
 * it created, if it did; then Vapi's own record says whether Vapi refused it because all lines
 * were busy, and that is recorded with its reason. The browser's word counts for nothing more.
 */
export async function giveUpStart(
  db: Db,
  vapi: VapiAccess,
  start: { userId: string; reservationId: string; vapiCallId?: string },
  now = new Date(),
): Promise<GivenUp> {
  const { userId, reservationId, vapiCallId } = start;
  const reservation = await db.reservation.findFirst({ where: { id: reservationId, userId } });
  if (!reservation) return { linesBusy: false, state: null };
  const linesBusy = vapiCallId
    ? await refusedForBusyLines(db, vapi, { userId, reservationId, vapiCallId }, reservation.status, now)
    : false;
  await cancelUnstartedCall(db, userId, reservationId);
  return { linesBusy, state: await coachCallState(db, userId, reservationId, now) };
}

async function refusedForBusyLines(
  db: Db,
  vapi: VapiAccess,
  { userId, reservationId, vapiCallId }: { userId: string; reservationId: string; vapiCallId: string },
  status: string,
  now: Date,
): Promise<boolean> {
  // Vapi's report of the refusal may have been recorded first (settleRefusedStart): it names the caller.
  const known = await db.call.findUnique({ where: { vapiCallId }, select: { userId: true, endedReason: true } });
  if (known) return known.userId === userId && known.endedReason === LINES_BUSY;
  // Vapi is asked only about a start still held for the caller, so the page cannot make us ask at will.
  if (status !== "HELD" || !vapi.rest) return false;
  try {
    const v = await vapi.rest.getCall(vapiCallId);
    const metadata = v.assistantOverrides?.metadata;
    const forThisStart =
      typeof metadata === "object" &&
      metadata !== null &&
      (metadata as Record<string, unknown>).reservationId === reservationId;
    if (v.status !== "ended" || !v.endedReason || !forThisStart || !refusedAtStart(v)) return false;
    const { call } = await settleCall(
      db,
      {
        vapiCallId: v.id,
        endedAt: v.endedAt,
        endedReason: v.endedReason,
        cost: v.cost,
        sighting: { vapiCallId: v.id, controlUrl: v.monitor?.controlUrl, metadata },
        source: "vapi-rest",
      },
      vapi.startTokenSecret,
      vapi.pricing,
      now,
    );
    return call.userId === userId && call.endedReason === LINES_BUSY;
  } catch (error) {
    log.warn({ callId: vapiCallId, userId, err: error }, "Could not read Vapi's record of a call the page gave up");
    return false;
  }
}
