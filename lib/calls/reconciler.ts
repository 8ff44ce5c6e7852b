import { prepared, type Db } from "@/lib/db/client";
import type { Call } from "@/lib/generated/prisma/client";
import type { Pricing } from "@/lib/credits/pricing";
import { endCallNow } from "@/lib/vapi/control";
import { VapiRestError, type VapiCall, type VapiRestClient } from "@/lib/vapi/rest";
import { log } from "@/lib/observability/log";
import { authorizeCall, findCall } from "./authorize";
import { refusedAtStart } from "./refused-start";
import { markCallEnded, settleCall } from "./settle";

export type ReconcilerOptions = {
  assistantId: string;
  startTokenSecret: string;
  pricing: Pricing;
  /** How long after Vapi says a call ended we wait for its report before billing from REST. */
  settleGraceSeconds: number;
  /** How far back the very first look reaches, before any cursor is stored. */
  lookbackMinutes: number;
  /** Calls per GET /call (Vapi's maximum, 1,000, unless set). */
  pageSize?: number;
};

/** Give the in-progress webhook this long before treating a live call we never heard of as unseen. */
const WEBHOOK_HEAD_START_MS = 2_000;
const RESEND_END_AFTER_MS = 5_000;
/** Vapi's clock is not ours, and a call may change while we read: every look reaches back this much further. */
const CLOCK_OVERLAP_MS = 30_000;
/** A call that keeps failing holds the cursor back at most this long (its failures stay in the log). */
const MAX_HOLD_MS = 60 * 60_000;
const MAX_PAGES = 20;
const CURSOR = "vapi-calls";

type Outcome = "acted" | "waiting" | "done";

/**
 * Asks Vapi which calls changed since the last look, because webhooks alone cannot see a call
 * whose browser redirected or silenced them. Live calls we never saw are authorized (or ended)
 * from Vapi's own record; ended calls without a settled report are billed from it after a grace.
 * The cursor follows Vapi's clock (the newest change read) and stays behind any call still waiting
 * on one of those timers, so it is read again. End requests a live call has not obeyed are followed
 * up from our own records, since such a call may not change at Vapi. Credits are never released for
 * lack of news: only a capture from a record of the call ends a bound reservation.
 */
export async function reconcileOnce(db: Db, rest: VapiRestClient, o: ReconcilerOptions, now = new Date()) {
  const cursor = await db.reconcilerCursor.findUnique({ where: { name: CURSOR } });
  const since = cursor?.until ?? new Date(now.getTime() - o.lookbackMinutes * 60_000);
  const { calls: changed, complete } = await callsChangedSince(
    rest,
    o.assistantId,
    new Date(since.getTime() - CLOCK_OVERLAP_MS),
    o.pageSize ?? 1000,
  );
  let acted = 0;
  let newest = since;
  let holdAt: Date | undefined;
  // Every live call changes at Vapi with each turn of its conversation, so a look reads most of
  // them: our rows for a whole page come in one statement, not one lookup per call.
  const ours = await callsByVapiId(
    db,
    changed.map((c) => c.id),
  );
  for (const call of changed) {
    if (call.updatedAt > newest) newest = call.updatedAt;
    const outcome = await reconcileCall(db, call, ours.get(call.id) ?? null, o, now).then(
      (done) => (failing.delete(call.id), done),
      (error) => failed(call.id, error),
    );
    if (outcome === "acted") acted++;
    if (outcome === "waiting" && (!holdAt || call.updatedAt < holdAt)) holdAt = call.updatedAt;
  }
  const seen = new Set(changed.map((c) => c.id));
  for (const vapiCallId of await unobeyedEndRequests(db, now)) {
    if (seen.has(vapiCallId)) continue;
    try {
      const record = await rest.getCall(vapiCallId);
      if ((await reconcileCall(db, record, await findCall(db, vapiCallId), o, now)) === "acted") acted++;
    } catch (error) {
      if (error instanceof VapiRestError && error.kind === "not-found") {
        await closeCallUnknownToVapi(db, vapiCallId, o, now);
        acted++;
        continue;
      }
      failed(vapiCallId, error);
      // To the back of the line, so calls Vapi cannot tell us about do not crowd out the rest.
      await db.call.updateMany({ where: { vapiCallId, endedAt: null }, data: { endCallSentAt: now } });
    }
  }
  let until = since;
  if (complete)
    until = holdAt && holdAt < newest && newest.getTime() - holdAt.getTime() < MAX_HOLD_MS ? holdAt : newest;
  else
    log.warn(
      { read: changed.length },
      "The reconciler read its page limit of changed calls and there are more: its cursor stays where it was",
    );
  await db.reconcilerCursor.upsert({
    where: { name: CURSOR },
    create: { name: CURSOR, until, checkedAt: now },
    update: { until, checkedAt: now },
  });
  return { seen: changed.length, acted };
}

/** When the reconciler last read Vapi's call list, or null if it never has. */
export async function lastReconciledAt(db: Db): Promise<Date | null> {
  return (await db.reconcilerCursor.findUnique({ where: { name: CURSOR } }))?.checkedAt ?? null;
}

/** Calls whose reconciling failed last time in this process: logged when they start failing, not on every pass. */
const failing = new Set<string>();

/** One call that cannot be reconciled now must not hold up the others; it is looked at again next time. */
function failed(vapiCallId: string, error: unknown): Outcome {
  if (!failing.has(vapiCallId))
    log.error({ callId: vapiCallId, err: error }, "Reconciling a call failed; it is looked at again next time");
  if (failing.size < 10_000) failing.add(vapiCallId);
  return "waiting";
}

/**
 * We asked a call to end and Vapi answers that it has no such call (deleted, or another
 * account's): nothing will ever tell us more. It gets a final outcome, once: ended now, billed
 * from our own record (from its start until now, at most what it holds: the caller had the line
 * until then as far as we can know), and one alert. Then it is left alone.
 */
async function closeCallUnknownToVapi(db: Db, vapiCallId: string, o: ReconcilerOptions, now: Date) {
  const call = await db.call.findUnique({ where: { vapiCallId } });
  if (!call || call.endedAt) return;
  await markCallEnded(db, vapiCallId, "unknown-to-vapi", now);
  const { call: settled, settledNow } = await settleCall(
    db,
    {
      vapiCallId,
      startedAt: call.startedAt,
      endedAt: now,
      endedReason: "unknown-to-vapi",
      sighting: { vapiCallId, metadata: undefined },
      source: "vapi-rest",
      alertIfSettled: {
        kind: "UNKNOWN_TO_VAPI",
        message:
          "We asked this call to end and Vapi answers that it has no such call: ended, and billed from our own record up to now.",
      },
    },
    o.startTokenSecret,
    o.pricing,
    now,
  );
  if (!settledNow) return;
  log.warn(
    { callId: vapiCallId, userId: settled.userId },
    "Vapi does not know this call (404): ended and billed from our own record",
  );
}

/**
 * Every call of the assistant Vapi changed after `since`. GET /call returns at most 1,000 per
 * request, newest created first (the emulator's order; Vapi's is unconfirmed in
 * vapi-protocol.md), so a full page is followed by the calls created up to its oldest one.
 * `complete` is false when MAX_PAGES did not reach the end.
 */
async function callsChangedSince(rest: VapiRestClient, assistantId: string, since: Date, pageSize: number) {
  const byId = new Map<string, VapiCall>();
  let createdAtLe: Date | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const calls = await rest.listCalls({ assistantId, updatedAtGt: since, createdAtLe, limit: pageSize });
    const fresh = calls.filter((c) => !byId.has(c.id));
    for (const c of fresh) byId.set(c.id, c);
    if (calls.length < pageSize || fresh.length === 0) return { calls: [...byId.values()], complete: true };
    createdAtLe = new Date(Math.min(...calls.map((c) => c.createdAt.getTime())));
  }
  return { calls: [...byId.values()], complete: false };
}

/** Calls we asked to end more than a few seconds ago that have not ended by any news since, longest waiting first. */
async function unobeyedEndRequests(db: Db, now: Date): Promise<string[]> {
  const calls = await db.call.findMany({
    where: { endedAt: null, endCallSentAt: { lt: new Date(now.getTime() - RESEND_END_AFTER_MS) } },
    orderBy: { endCallSentAt: "asc" },
    select: { vapiCallId: true },
    take: 100,
  });
  return calls.map((c) => c.vapiCallId);
}

/** Our rows of these calls, by Vapi's call id. */
async function callsByVapiId(db: Db, vapiCallIds: string[]): Promise<Map<string, Call>> {
  if (!vapiCallIds.length) return new Map();
  const { rows } = await db.pool.query<Call>(
    prepared({ text: `SELECT * FROM "Call" WHERE "vapiCallId" = ANY($1::text[])`, values: [vapiCallIds] }),
  );
  return new Map(rows.map((row) => [row.vapiCallId, row]));
}

/** One call as Vapi records it, beside our row of it (`known`, null if we have none). */
async function reconcileCall(
  db: Db,
  v: VapiCall,
  known: Call | null,
  o: ReconcilerOptions,
  now: Date,
): Promise<Outcome> {
  const sighting = { vapiCallId: v.id, controlUrl: v.monitor?.controlUrl, metadata: v.assistantOverrides?.metadata };
  if (v.status === "ended") {
    if (known?.settledAt) return "done";
    const endedAt = v.endedAt ?? now;
    if (now.getTime() - endedAt.getTime() < o.settleGraceSeconds * 1000) {
      if (known && !known.endedAt) await markCallEnded(db, v.id, v.endedReason, endedAt);
      return "waiting";
    }
    const { settledNow } = await settleCall(
      db,
      {
        vapiCallId: v.id,
        startedAt: v.startedAt,
        endedAt: v.endedAt,
        durationSeconds: v.durationSeconds,
        endedReason: v.endedReason,
        cost: v.cost,
        sighting,
        source: "vapi-rest",
        // A start Vapi refused was never billed: nothing to alert.
        alertIfSettled: refusedAtStart(v)
          ? undefined
          : {
              kind: "SETTLED_FROM_VAPI",
              message: "No end-of-call report arrived in time: billed from Vapi's call record.",
            },
      },
      o.startTokenSecret,
      o.pricing,
      now,
    );
    if (!settledNow) return "done"; // the report, or another server process, got there first
    return "acted";
  }
  if (v.status !== "in-progress") return "done"; // not started yet: it changes again when it does
  if (!known) {
    if (now.getTime() - (v.startedAt ?? v.createdAt).getTime() < WEBHOOK_HEAD_START_MS) return "waiting";
    const { call, fresh } = await authorizeCall(
      db,
      { ...sighting, startedAt: v.startedAt ?? v.createdAt, live: true },
      o.startTokenSecret,
      now,
    );
    if (!fresh) return "done"; // its webhook, or another server process, got there first
    await db.alert.create({
      data: {
        kind: "UNSEEN_CALL",
        userId: call.userId,
        vapiCallId: v.id,
        message: `A live call no webhook told us about (now ${call.status.toLowerCase()}).`,
      },
    });
    return "acted";
  }
  // We asked for the end, and Vapi still says the call is live: ask again.
  if (known.endCallSentAt && now.getTime() - known.endCallSentAt.getTime() > RESEND_END_AFTER_MS) {
    const controlUrl = known.controlUrl ?? v.monitor?.controlUrl;
    if (controlUrl) await endCallNow(controlUrl);
    await db.call.update({ where: { id: known.id }, data: { endCallSentAt: now } });
    return "acted";
  }
  return "done";
}
