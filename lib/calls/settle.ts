import { randomUUID } from "node:crypto";
import { parameters, prepared, utc, type Db } from "@/lib/db/client";
import { batched } from "@/lib/db/batched";
import type { AlertKind, Call } from "@/lib/generated/prisma/client";
import { captureCtes } from "@/lib/credits/ledger";
import { creditsForSeconds, type Pricing } from "@/lib/credits/pricing";
import { MAX_REPORTED_CALL_SECONDS } from "@/lib/vapi/messages";
import { metrics } from "@/lib/observability/metrics";
import { authorizeCall, findCall, type CallSighting } from "./authorize";
import { recordingWithAction, type EventRow } from "./event-log";
import { markEachProcessedSql, markProcessed } from "./processed-mark";
import { refusedAtStart, settleRefusedStart } from "./refused-start";

/** Alerts whose `seconds` are leakage: filled in when the call is settled. */
export const LEAKAGE_ALERT_KINDS: AlertKind[] = ["UNAUTHORIZED_CALL", "TAMPERED_CALL"];

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
  /** An alert about the call, committed with its settlement (with its seconds and credits), if this is what settles it. */
  alertIfSettled?: { kind: AlertKind; message: string };
};

/** Seconds the call used; never negative, never more than Vapi lets a call last (so a wild clock cannot overflow a column). */
function usedSeconds(u: FinalUsage, fallbackStart: Date, now: Date): number {
  const seconds =
    u.durationSeconds !== undefined && Number.isFinite(u.durationSeconds)
      ? u.durationSeconds
      : ((u.endedAt ?? now).getTime() - (u.startedAt ?? fallbackStart).getTime()) / 1000;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, seconds), MAX_REPORTED_CALL_SECONDS) : 0;
}

/**
 * Turns an ended call into a capture of what it used and a release of the rest, exactly once:
 * the capture, the call's bill, its alert and the mark of message `processedKey` commit in one statement,
 * the capture is idempotent per reservation and the call row is settled only once. A call we
 * never saw start is authorized first (messages arrive out of order). `settledNow` says whether
 * this was the settling (false when a report or another process got there first).
 */
export async function settleCall(
  db: Db,
  u: FinalUsage,
  secret: string,
  pricing: Pricing,
  now = new Date(),
  processedKey?: string,
) {
  // Most calls are known by now: looked up first, as authorizing a known call costs failed writes.
  const known = await findCall(db, u.vapiCallId);
  // A call Vapi refused at its start (its concurrency limit…) never ran: not a call to authorize or bill.
  if (!known && u.endedReason && refusedAtStart(u))
    return settleRefusedStart(db, { ...u, endedReason: u.endedReason }, secret, now, processedKey);
  const call =
    known ?? (await authorizeCall(db, { ...u.sighting, startedAt: u.startedAt ?? now, live: false }, secret, now)).call;
  if (call.settledAt) {
    await markProcessed(db.pool, processedKey, now);
    return { call, settledNow: false };
  }
  const seconds = usedSeconds(u, call.startedAt, now);
  const status = call.status === "UNAUTHORIZED" ? "UNAUTHORIZED" : "SETTLED";
  const used = Math.ceil(seconds);
  const settled = await settleCalls(db, {
    call,
    credits: creditsForSeconds(seconds, pricing),
    actor: `vapi:${u.source}`,
    usedSeconds: used,
    endedAt: u.endedAt ?? call.endedAt ?? now,
    endedReason: u.endedReason ?? call.endedReason,
    cost: u.cost ?? null,
    summary: u.summary ?? null,
    transcript: u.transcript ?? call.transcript,
    recordingUrl: u.recordingUrl ?? null,
    status,
    alert: u.alertIfSettled ?? null,
    at: now,
    processedKey,
  });
  if (!settled) {
    // Settled since it was looked up (another report, or another process). Its reservation closes
    // only here, with the bill, so there is no other way to find it closed.
    const current = (await findCall(db, u.vapiCallId))!;
    if (!current.settledAt)
      throw new Error(`Call ${u.vapiCallId} cannot be settled: its reservation was closed without it.`);
    await markProcessed(db.pool, processedKey, now);
    return { call: current, settledNow: false };
  }
  if (status === "UNAUTHORIZED") metrics.unauthorizedCallSeconds.inc(used);
  return { call: settled, settledNow: true };
}

/** One call's bill, as settleCall decided it. */
type Bill = {
  call: Call;
  /** Credits to capture from the call's reservation, if it holds one. */
  credits: number;
  actor: string;
  usedSeconds: number;
  endedAt: Date;
  endedReason: string | null;
  cost: number | null;
  summary: string | null;
  transcript: string | null;
  recordingUrl: string | null;
  status: "SETTLED" | "UNAUTHORIZED";
  alert: FinalUsage["alertIfSettled"] | null;
  at: Date;
  processedKey?: string;
};

/**
 * Settles calls in one statement for the reports that arrive together: the capture (if the call
 * holds credits), the bill, the leakage (by Vapi's record: how long a call we did not authorize,
 * or that was tampered with, ran), its alert and the mark. A call settled before, or whose
 * reservation was not HELD, gets null.
 */
const settleCalls = batched<Bill, Call | null>({
  laneOf: (bill) => `call:${bill.call.vapiCallId}`,
  run: async (db, bills) => {
    const { p, values } = parameters();
    const column = <T>(f: (b: Bill) => T) => p(bills.map(f));
    const input = `SELECT * FROM unnest(${column((b) => b.call.id)}::text[], ${column((b) => b.call.reservationId)}::text[],
        ${column((b) => b.credits)}::int[], ${column((b) => b.actor)}::text[], ${column((b) => utc(b.at))}::timestamp[],
        ${column((b) => b.usedSeconds)}::int[], ${column((b) => utc(b.endedAt))}::timestamp[], ${column((b) => b.endedReason)}::text[],
        ${column((b) => b.cost)}::float8[], ${column((b) => b.summary)}::text[], ${column((b) => b.transcript)}::text[],
        ${column((b) => b.recordingUrl)}::text[], ${column((b) => b.status)}::text[], ${column((b) => b.alert?.kind ?? null)}::text[],
        ${column((b) => b.alert?.message ?? null)}::text[], ${column(() => randomUUID())}::text[], ${column((b) => b.processedKey ?? null)}::text[])
      AS i("callId", "reservationId", "credits", "actor", "at", "usedSeconds", "endedAt", "endedReason", "cost", "summary", "transcript",
           "recordingUrl", "status", "alertKind", "alertMessage", "alertId", "processedKey")`;
    const captures = `SELECT "reservationId", "credits" AS "captured", "actor", NULL::text AS "reason", "at" FROM input WHERE "reservationId" IS NOT NULL`;
    // Rows are found by their keys as parameters, not by a join on `input` alone (see query-plans.test.ts).
    const reservationIds = p(bills.flatMap((b) => (b.call.reservationId ? [b.call.reservationId] : [])));
    // The calls are locked in id order, as every statement that changes several calls does.
    const text = `WITH input AS (${input}), ${captureCtes(p, captures, reservationIds)}, target AS (
        SELECT c."id" FROM "Call" c WHERE c."id" = ANY(${p(bills.map((b) => b.call.id))}::text[]) AND c."settledAt" IS NULL
        ORDER BY c."id" FOR UPDATE OF c
      ), settled AS (
        UPDATE "Call" c SET "usedSeconds" = i."usedSeconds",
          "creditsCharged" = COALESCE((SELECT r."capturedCredits" FROM closed r WHERE r."id" = i."reservationId"), 0),
          "endedAt" = i."endedAt", "endedReason" = i."endedReason", "vapiCost" = i."cost", "summary" = i."summary",
          "transcript" = i."transcript", "recordingUrl" = i."recordingUrl", "vapiStatus" = 'ended', "settledAt" = i."at",
          "status" = i."status"::"CallStatus", "updatedAt" = i."at"
        FROM target t JOIN input i ON i."callId" = t."id"
        WHERE c."id" = t."id" AND c."settledAt" IS NULL
          AND (i."reservationId" IS NULL OR EXISTS (SELECT 1 FROM closed r WHERE r."id" = i."reservationId"))
        RETURNING c.*
      ), leakage AS (
        UPDATE "Alert" a SET "seconds" = s."usedSeconds" FROM settled s
        WHERE a."vapiCallId" = s."vapiCallId" AND a."kind"::text = ANY(${p(LEAKAGE_ALERT_KINDS)})
      ), alerted AS (
        INSERT INTO "Alert" ("id", "kind", "userId", "vapiCallId", "seconds", "credits", "message", "createdAt")
        SELECT i."alertId", i."alertKind"::"AlertKind", s."userId", s."vapiCallId", COALESCE(s."usedSeconds", 0),
          COALESCE(s."creditsCharged", 0), i."alertMessage", i."at"
        FROM settled s JOIN input i ON i."callId" = s."id" WHERE i."alertKind" IS NOT NULL
      ), processed AS (${markEachProcessedSql(
        `(SELECT i."processedKey", i."at" FROM settled s JOIN input i ON i."callId" = s."id")`,
        p(bills.map((b) => b.processedKey ?? null)),
      )})
      SELECT * FROM settled`;
    const { rows } = await db.pool.query<Call>(prepared({ text, values }));
    const byId = new Map(rows.map((call) => [call.id, call]));
    return bills.map((b) => byId.get(b.call.id) ?? null);
  },
});

type Ending = { vapiCallId: string; endedReason?: string; at: Date; processedKey?: string };

/**
 * Vapi says the call ended: stop enforcing it; billing waits for the report (or the reconciler).
 * `processedKey` names a webhook message marked processed with it. The ends that arrive together
 * go in one statement (the wave of cutoffs is one commit, not one each), their calls locked in id
 * order as every statement that changes several calls does.
 */
export function markCallEnded(
  db: Db,
  vapiCallId: string,
  endedReason: string | undefined,
  now = new Date(),
  processedKey?: string,
): Promise<void> {
  return endCalls(db, { vapiCallId, endedReason, at: now, processedKey });
}

/**
 * The end of calls, as CTEs over `ending` (columns "vapiCallId", "endedReason", "at"): each call
 * not ended yet is ended, an active one's status too.
 */
const endCtes = (ending: string) => `target AS (
         SELECT c."id", i."endedReason", i."at"
         FROM "Call" c JOIN ${ending} i USING ("vapiCallId")
         WHERE c."endedAt" IS NULL OR c."status" = 'ACTIVE'
         ORDER BY c."id"
         FOR UPDATE OF c
       ), ended AS (
         UPDATE "Call" c SET
           "endedReason" = CASE WHEN c."endedAt" IS NULL THEN COALESCE(t."endedReason", c."endedReason") ELSE c."endedReason" END,
           "vapiStatus" = CASE WHEN c."endedAt" IS NULL THEN 'ended' ELSE c."vapiStatus" END,
           "endedAt" = COALESCE(c."endedAt", t."at"),
           "status" = CASE WHEN c."status" = 'ACTIVE' THEN 'ENDED'::"CallStatus" ELSE c."status" END,
           "updatedAt" = t."at"
         FROM target t
         WHERE c."id" = t."id" AND (c."endedAt" IS NULL OR c."status" = 'ACTIVE')
       )`;

const endCalls = batched<Ending, void>({
  laneOf: (ending) => `call:${ending.vapiCallId}`,
  run: async (db, endings) => {
    const column = <T>(f: (e: Ending) => T) => endings.map(f);
    await db.pool.query(
      prepared({
        text: `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp[], $4::text[]) AS i("vapiCallId", "endedReason", "at", "processedKey")
       ), ${endCtes("input")}
       ${markEachProcessedSql("input", "$4")}`,
        values: [
          column((e) => e.vapiCallId),
          column((e) => e.endedReason ?? null),
          column((e) => utc(e.at)),
          column((e) => e.processedKey ?? null),
        ],
      }),
    );
    return endings.map(() => undefined);
  },
});

/** Records an `ended` status and ends its call in the same statement: the wave of ends is one commit per group. */
export const recordEnd = recordingWithAction<EventRow & { endedReason?: string }>({
  actionCtes: (p) => `ending AS (
         SELECT i."vapiCallId", e."endedReason", i."receivedAt" AS "at", i."ord"
         FROM unnest($${p}::text[]) WITH ORDINALITY AS e("endedReason", "ord") JOIN input i USING ("ord")
       ), ${endCtes("ending")}, done AS (SELECT "ord", "at", true AS "fresh" FROM ending)`,
  values: (rows) => [rows.map((r) => r.endedReason ?? null)],
});
