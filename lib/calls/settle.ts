import type { Db } from "@/lib/db/client";
import { capture } from "@/lib/credits/ledger";
import { creditsForSeconds, type Pricing } from "@/lib/credits/pricing";
import { authorizeCall, type CallSighting } from "./authorize";

/** How a call ended, from an end-of-call report or Vapi's REST record. */
export type FinalUsage = {
  vapiCallId: string;
  startedAt?: Date;
  endedAt?: Date;
  durationSeconds?: number;
  endedReason?: string;
  cost?: number;
  summary?: string;
  transcript?: string;
  recordingUrl?: string;
  sighting: Omit<CallSighting, "startedAt" | "live">;
  source: "end-of-call-report" | "vapi-rest";
};

function usedSeconds(u: FinalUsage, fallbackStart: Date, now: Date): number {
  if (u.durationSeconds !== undefined && Number.isFinite(u.durationSeconds)) return Math.max(0, u.durationSeconds);
  const start = u.startedAt ?? fallbackStart;
  const end = u.endedAt ?? now;
  return Math.max(0, (end.getTime() - start.getTime()) / 1000);
}

/**
 * Turns an ended call into a capture of what it used and a release of the rest, exactly once:
 * the ledger's capture is idempotent per reservation and the call row is settled only once.
 * A call we never saw start is authorized first (messages arrive out of order). `settledNow` says
 * whether this was the settling (false when a report or another process got there first).
 */
export async function settleCall(db: Db, u: FinalUsage, secret: string, pricing: Pricing, now = new Date()) {
  const { call } = await authorizeCall(db, { ...u.sighting, startedAt: u.startedAt ?? now, live: false }, secret, now);
  if (call.settledAt) return { call, settledNow: false };
  const seconds = usedSeconds(u, call.startedAt, now);
  const charged = call.reservationId
    ? (await capture(db, call.reservationId, creditsForSeconds(seconds, pricing), `vapi:${u.source}`)).capturedCredits
    : 0;
  const details = {
    usedSeconds: Math.ceil(seconds), creditsCharged: charged, endedAt: u.endedAt ?? call.endedAt ?? now,
    endedReason: u.endedReason ?? call.endedReason, vapiCost: u.cost, summary: u.summary, transcript: u.transcript ?? call.transcript,
    recordingUrl: u.recordingUrl, vapiStatus: "ended", settledAt: now,
  };
  const settled = await db.call.updateMany({
    where: { id: call.id, settledAt: null },
    data: { ...details, status: call.status === "UNAUTHORIZED" ? "UNAUTHORIZED" : "SETTLED" },
  });
  if (settled.count && call.status === "UNAUTHORIZED") {
    await db.alert.updateMany({ where: { vapiCallId: u.vapiCallId, kind: "unauthorized-call" }, data: { seconds: Math.ceil(seconds) } });
  }
  return { call: await db.call.findUniqueOrThrow({ where: { id: call.id } }), settledNow: settled.count === 1 };
}

/** Vapi says the call ended: stop enforcing it; billing waits for the report (or the reconciler). */
export async function markCallEnded(db: Db, vapiCallId: string, endedReason: string | undefined, now = new Date()) {
  await db.call.updateMany({
    where: { vapiCallId, endedAt: null },
    data: { endedAt: now, endedReason, vapiStatus: "ended" },
  });
  await db.call.updateMany({ where: { vapiCallId, status: "ACTIVE" }, data: { status: "ENDED" } });
}
