import type { Db } from "@/lib/db/client";
import type { Pricing } from "@/lib/credits/pricing";
import { endCallNow } from "@/lib/vapi/control";
import type { VapiCall, VapiRestClient } from "@/lib/vapi/rest";
import { authorizeCall } from "./authorize";
import { settleCall } from "./settle";

export type ReconcilerOptions = {
  assistantId: string;
  startTokenSecret: string;
  pricing: Pricing;
  /** How long after Vapi says a call ended we wait for its report before billing from REST. */
  settleGraceSeconds: number;
  lookbackMinutes: number;
};

/** Give the in-progress webhook this long before treating a live call we never heard of as unseen. */
const WEBHOOK_HEAD_START_MS = 2_000;
const RESEND_END_AFTER_MS = 5_000;

/**
 * Asks Vapi which calls exist, because webhooks alone cannot see a call whose browser redirected
 * or silenced them. Live calls we never saw are authorized (or ended) from Vapi's own record;
 * ended calls without a settled report are billed from it after a grace. Credits are never
 * released for lack of news: only a capture from a record of the call ends a bound reservation.
 */
export async function reconcileOnce(db: Db, rest: VapiRestClient, o: ReconcilerOptions, now = new Date()) {
  const calls = await rest.listCalls({ assistantId: o.assistantId, createdAtGt: new Date(now.getTime() - o.lookbackMinutes * 60_000), limit: 1000 });
  let acted = 0;
  for (const vapiCall of calls) {
    if (await reconcileCall(db, vapiCall, o, now)) acted++;
  }
  return { seen: calls.length, acted };
}

async function reconcileCall(db: Db, v: VapiCall, o: ReconcilerOptions, now: Date): Promise<boolean> {
  const known = await db.call.findUnique({ where: { vapiCallId: v.id } });
  const sighting = { vapiCallId: v.id, controlUrl: v.monitor?.controlUrl, metadata: v.assistantOverrides?.metadata };
  if (v.status === "ended") {
    if (known?.settledAt) return false;
    const endedAt = v.endedAt ?? now;
    if (now.getTime() - endedAt.getTime() < o.settleGraceSeconds * 1000) return false;
    const settled = await settleCall(db, {
      vapiCallId: v.id, startedAt: v.startedAt, endedAt: v.endedAt, durationSeconds: v.durationSeconds, endedReason: v.endedReason,
      cost: v.cost, sighting, source: "vapi-rest",
    }, o.startTokenSecret, o.pricing, now);
    await db.alert.create({
      data: { kind: "settled-from-vapi", userId: settled.userId, vapiCallId: v.id, seconds: settled.usedSeconds ?? 0, credits: settled.creditsCharged ?? 0,
        message: "No end-of-call report arrived in time: billed from Vapi's call record." },
    });
    return true;
  }
  if (v.status !== "in-progress") return false;
  if (!known) {
    if (now.getTime() - (v.startedAt ?? v.createdAt).getTime() < WEBHOOK_HEAD_START_MS) return false;
    const { call } = await authorizeCall(db, { ...sighting, startedAt: v.startedAt ?? v.createdAt, live: true }, o.startTokenSecret, now);
    await db.alert.create({
      data: { kind: "unseen-call", userId: call.userId, vapiCallId: v.id, message: `A live call no webhook told us about (now ${call.status.toLowerCase()}).` },
    });
    return true;
  }
  // We asked for the end, and Vapi still says the call is live: ask again.
  if (known.endCallSentAt && now.getTime() - known.endCallSentAt.getTime() > RESEND_END_AFTER_MS) {
    const controlUrl = known.controlUrl ?? v.monitor?.controlUrl;
    if (controlUrl) await endCallNow(controlUrl);
    await db.call.update({ where: { id: known.id }, data: { endCallSentAt: now } });
    return true;
  }
  return false;
}
