import type { Db } from "@/lib/db/client";
import { releaseUnbound } from "@/lib/credits/ledger";
import type { CallFlag } from "@/lib/generated/prisma/client";
import { warning } from "./enforcer";

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
