import { randomUUID } from "node:crypto";
import { DatabaseError } from "pg";
import { z } from "zod";
import { prepared, utc, type Db } from "@/lib/db/client";
import { batched } from "@/lib/db/batched";
import type { Call, CallFlag } from "@/lib/generated/prisma/client";
import { sayOnCall } from "@/lib/vapi/control";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { type StartTokenClaims, verifyStartToken } from "./start-token";
import { markEachProcessedSql } from "./processed-mark";
import { recordingWithAction, type EventRow, type Recorded } from "./event-log";
import { END_AFTER_NOTICE_MS, GOODBYE_BEFORE_CUTOFF_SECONDS, warnBeforeCutoffSeconds } from "./timing";

const StartMetadata = z.object({
  userId: z.string().min(1),
  reservationId: z.string().min(1),
  startToken: z.string().min(1),
});

export type CallSighting = {
  vapiCallId: string;
  controlUrl?: string;
  /** `call.assistantOverrides.metadata` as Vapi delivered it: chosen by the browser, so untrusted. */
  metadata: unknown;
  /** When the call started (the start token must have been valid then). */
  startedAt: Date;
  /** False when we learn of the call only after it ended: no notice to speak. */
  live: boolean;
};

export type Authorization = { call: Call; fresh: boolean };

export const UNAUTHORIZED_NOTICE =
  "Sorry, this call was not started through Coach Call, so it can't continue. Goodbye.";

/** What a call's metadata proves: the start token's claims when it is ours, and why it is not valid (null when it is). */
export type StartCheck = { claims: StartTokenClaims | null; invalidFor: CallFlag | null };

/** Checks the start token in a call's metadata (the browser's, so untrusted) as of `at`. */
export function checkStart(metadata: unknown, secret: string, at: Date): StartCheck {
  const meta = StartMetadata.safeParse(metadata);
  const check = verifyStartToken(secret, meta.success ? meta.data.startToken : undefined, at);
  if (!check.ok) return { claims: null, invalidFor: check.reason };
  const { claims } = check;
  if (meta.success && (claims.userId !== meta.data.userId || claims.reservationId !== meta.data.reservationId))
    return { claims, invalidFor: "TOKEN_MISMATCH" };
  return { claims, invalidFor: null };
}

/**
 * Decides, once per Vapi call, whether it is paid for: a valid start token whose reservation binds
 * to this call and no other. Anything else is recorded as UNAUTHORIZED and, if live, told to end.
 * A call decided before (a redelivery, or another message first) is returned as it is. Message
 * `processedKey` is marked processed with the decision. Plain SQL on the pool, a statement or two:
 * it runs for every call's first message, and Prisma's per-query cost showed.
 */
export async function authorizeCall(
  db: Db,
  s: CallSighting,
  secret: string,
  now = new Date(),
  processedKey?: string,
): Promise<Authorization> {
  const { claims, invalidFor } = checkStart(s.metadata, secret, s.startedAt);
  let unauthorizedFor = invalidFor;
  if (claims && !invalidFor) {
    const bound = await bindAndCreate(db, { reservationId: claims.reservationId, s, now, processedKey });
    if (bound === "refused") unauthorizedFor = "REPLAYED_TOKEN";
    else if (bound === "suspended") unauthorizedFor = "SUSPENDED";
    else return bound;
  }
  return recordUnauthorized(db, s, unauthorizedFor ?? "MISSING_TOKEN", claims?.userId ?? null, now, processedKey);
}

/** The call's row, by Vapi's id. The lookups that come together go in one statement. */
export const findCall = batched<string, Call | null>({
  laneOf: (vapiCallId) => vapiCallId,
  run: async (db, vapiCallIds) => {
    const { rows } = await db.pool.query<Call>(
      prepared({ text: `SELECT * FROM "Call" WHERE "vapiCallId" = ANY($1::text[])`, values: [vapiCallIds] }),
    );
    const byId = new Map(rows.map((call) => [call.vapiCallId, call]));
    return vapiCallIds.map((id) => byId.get(id) ?? null);
  },
});

/** One call's bind: its reservation (by the start token's claim), and the message to mark processed with it. */
type Bind = { reservationId: string; s: CallSighting; now: Date; processedKey?: string };

/**
 * Binds the reservation to this call and creates the call with its deadlines (from the seconds
 * the reservation paid for), with the mark. A call already recorded (whoever recorded it decided)
 * or a reservation taken by another call, closed, expired or unknown is refused: a replay, or a
 * redelivery that finds it decided.
 */
async function bindAndCreate(db: Db, bind: Bind): Promise<Authorization | "refused" | "suspended"> {
  try {
    const { call, suspended } = await bindReservations(db, bind);
    if (call) return { call, fresh: true };
    if (suspended) return "suspended";
  } catch (error) {
    // Another reservation is bound to this call id, or the call was recorded meanwhile: the
    // statement rolled back (the bind too), and whoever got there first decided.
    if (!(error instanceof DatabaseError && error.code === "23505")) throw error;
  }
  return "refused";
}

/**
 * The bind, as CTEs over `binding` (columns "reservationId", "vapiCallId", "startedAt", "callId",
 * "controlUrl", "at", "processedKey", "ord"): `holder` locks the accounts FOR SHARE in id order (a
 * suspension committing meanwhile waits for the binds, and then ends the calls, or is seen here);
 * `bound` has the rows whose reservation was bound, `created` their calls. A reservation named by
 * two rows binds to one of them (`UPDATE … FROM` picks one). `warn` and `goodbye` are the
 * placeholders of the warning's and the goodbye's lead in seconds.
 */
const bindCtes = (binding: string, warn: string, goodbye: string) => `holder AS (
         SELECT r."id" AS "reservationId", u."suspendedAt" FROM "User" u JOIN "Reservation" r ON r."userId" = u."id"
         WHERE r."id" IN (SELECT "reservationId" FROM ${binding}) ORDER BY u."id" FOR SHARE OF u
       ), bound AS (
         UPDATE "Reservation" r SET "vapiCallId" = i."vapiCallId", "boundAt" = i."startedAt"
         FROM ${binding} i
         WHERE r."id" = i."reservationId" AND r."status" = 'HELD' AND (r."vapiCallId" IS NULL OR r."vapiCallId" = i."vapiCallId")
           AND r."expiresAt" > i."startedAt"
           AND NOT EXISTS (SELECT 1 FROM holder h WHERE h."reservationId" = r."id" AND h."suspendedAt" IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM "Call" c WHERE c."vapiCallId" = i."vapiCallId")
         RETURNING i."ord", r."id", r."userId", r."seconds", i."vapiCallId", i."startedAt", i."callId", i."controlUrl", i."at", i."processedKey",
           i."startedAt" + make_interval(secs => r."seconds") AS "cutoffAt"
       ), created AS (
         INSERT INTO "Call" ("id", "vapiCallId", "userId", "reservationId", "status", "controlUrl", "startedAt", "vapiStatus",
                             "cutoffAt", "warnAt", "goodbyeAt", "endCallDueAt", "createdAt", "updatedAt")
         SELECT "callId", "vapiCallId", "userId", "id", 'ACTIVE', "controlUrl", "startedAt", 'in-progress', "cutoffAt",
           -- Warn only a call at least twice as long as the warning's lead; say goodbye only if it fits.
           CASE WHEN "seconds" >= 2 * ${warn}::int THEN "cutoffAt" - make_interval(secs => ${warn}) END,
           CASE WHEN "seconds" > 2 * ${goodbye}::int THEN "cutoffAt" - make_interval(secs => ${goodbye}) END,
           "cutoffAt", "at", "at"
         FROM bound
         RETURNING *
       )`;

/**
 * The binds of the calls that start together go in one statement (a burst of starts is one
 * commit, not one each), with the marks of their messages. A start the statement that recorded
 * its message could not bind comes here (recordStart), and so does a retry.
 */
const bindReservations = batched<Bind, { call: Call | null; suspended: boolean }>({
  laneOf: (bind) => `call:${bind.s.vapiCallId}`,
  run: async (db, binds) => {
    const column = <T>(f: (b: Bind) => T) => binds.map(f);
    const { rows } = await db.pool.query<Call & { ord: string; suspended: boolean | null }>(
      prepared({
        text: `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp[], $4::text[], $5::text[], $6::timestamp[], $7::text[])
           WITH ORDINALITY AS i("reservationId", "vapiCallId", "startedAt", "callId", "controlUrl", "at", "processedKey", "ord")
       ), ${bindCtes("input", "$8", "$9")}, processed AS (${markEachProcessedSql("bound", "$7")})
       -- Only the row that bound gets the call: a second copy of its message in the statement is refused, and finds it.
       SELECT i."ord", c.*, h."suspendedAt" IS NOT NULL AS "suspended"
       FROM input i LEFT JOIN bound b USING ("ord") LEFT JOIN created c ON c."vapiCallId" = b."vapiCallId"
         LEFT JOIN holder h ON h."reservationId" = i."reservationId"`,
        values: [
          column((b) => b.reservationId),
          column((b) => b.s.vapiCallId),
          column((b) => utc(b.s.startedAt)),
          column(() => randomUUID()),
          column((b) => b.s.controlUrl ?? null),
          column((b) => utc(b.now)),
          column((b) => b.processedKey ?? null),
          warnBeforeCutoffSeconds(),
          GOODBYE_BEFORE_CUTOFF_SECONDS,
        ],
      }),
    );
    const byOrd = new Map(rows.map(({ ord, suspended, ...call }) => [Number(ord), { call, suspended }]));
    return binds.map((_, i) => {
      const { call, suspended } = byOrd.get(i + 1)!;
      return { call: call.id ? (call as Call) : null, suspended: !!suspended };
    });
  },
});

/** A call's start as its first message brought it (an authorize action): what `recordStart` decides on. */
export type StartSeen = { vapiCallId: string; controlUrl?: string; metadata?: unknown; startedAt: string };

/**
 * Records the message of a call's start and decides the start in the same statement, for the
 * starts that come together: a valid start token's reservation is bound (the call is paid), and
 * a start without one is recorded unauthorized and told to end. A start whose token is valid but
 * whose reservation does not bind (a replayed token, a suspended account, a call decided before)
 * stays pending, and its action decides it (authorizeCall).
 */
export async function recordStart(db: Db, row: EventRow, start: StartSeen, secret: string): Promise<Recorded> {
  const startedAt = new Date(start.startedAt);
  const { claims, invalidFor } = checkStart(start.metadata, secret, startedAt);
  if (claims && !invalidFor)
    return recordPaidStart(db, { ...row, paid: { reservationId: claims.reservationId, startedAt, start } });
  const flag = invalidFor ?? "MISSING_TOKEN";
  const refused = await recordRefusedStart(db, {
    ...row,
    refused: { flag, userId: claims?.userId ?? null, startedAt, start },
  });
  const sighting = { vapiCallId: start.vapiCallId, controlUrl: start.controlUrl, live: true };
  if (refused.fresh) await endUnauthorized(sighting, flag, claims?.userId ?? null);
  return refused;
}

const recordPaidStart = recordingWithAction<
  EventRow & { paid: { reservationId: string; startedAt: Date; start: StartSeen } }
>({
  actionCtes: (p) => `binding AS (
         SELECT b."reservationId", i."vapiCallId", b."startedAt", b."callId", b."controlUrl", i."receivedAt" AS "at",
           i."dedupeKey" AS "processedKey", i."ord"
         FROM unnest($${p}::text[], $${p + 1}::timestamp[], $${p + 2}::text[], $${p + 3}::text[])
           WITH ORDINALITY AS b("reservationId", "startedAt", "callId", "controlUrl", "ord")
         JOIN input i USING ("ord")
       ), ${bindCtes("binding", `$${p + 4}`, `$${p + 5}`)}, done AS (SELECT "ord", "at", true AS "fresh" FROM bound)`,
  values: (rows) => [
    rows.map((r) => r.paid.reservationId),
    rows.map((r) => utc(r.paid.startedAt)),
    rows.map(() => randomUUID()),
    rows.map((r) => r.paid.start.controlUrl ?? null),
    warnBeforeCutoffSeconds(),
    GOODBYE_BEFORE_CUTOFF_SECONDS,
  ],
});

type RefusedStart = { flag: CallFlag; userId: string | null; startedAt: Date; start: StartSeen };

/** Every refused start is decided by it: its call is created unauthorized (`fresh`), or was recorded before. */
const recordRefusedStart = recordingWithAction<EventRow & { refused: RefusedStart }>({
  actionCtes: (p) => `refusing AS (
         SELECT f."callId", i."vapiCallId", f."userId", f."flag", f."controlUrl", f."startedAt", 'in-progress' AS "vapiStatus",
           f."endCallDueAt", i."receivedAt" AS "at", f."alertId", m."message", i."ord"
         FROM unnest($${p}::text[], $${p + 1}::text[], $${p + 2}::text[], $${p + 3}::text[], $${p + 4}::timestamp[], $${p + 5}::timestamp[], $${p + 6}::text[])
           WITH ORDINALITY AS f("callId", "userId", "flag", "controlUrl", "startedAt", "endCallDueAt", "alertId", "ord")
         JOIN input i USING ("ord")
         CROSS JOIN LATERAL (SELECT ${alertMessageSql(`f."flag"`, `f."controlUrl"`)} AS "message") m
       ), ${refusalCtes("refusing")}, done AS (
         SELECT f."ord", f."at", c."id" IS NOT NULL AS "fresh" FROM refusing f LEFT JOIN created c ON c."id" = f."callId"
       )`,
  values: (rows) => [
    rows.map(() => randomUUID()),
    rows.map((r) => r.refused.userId),
    rows.map((r) => r.refused.flag),
    rows.map((r) => r.refused.start.controlUrl ?? null),
    rows.map((r) => utc(r.refused.startedAt)),
    rows.map((r) => utc(new Date(r.receivedAt.getTime() + END_AFTER_NOTICE_MS))),
    rows.map(() => randomUUID()),
  ],
});

/** The alert's words for a call without a valid start, in SQL over its flag and control URL. */
const alertMessageSql = (flag: string, controlUrl: string) =>
  `'Call without a valid start (' || ${flag} || ')' || CASE WHEN ${controlUrl} IS NULL THEN '; it has no control URL to end it' ELSE '' END || '.'`;

/**
 * Records calls as unauthorized, as CTEs over `refusing` (columns "callId", "vapiCallId",
 * "userId", "flag", "controlUrl", "startedAt", "vapiStatus", "endCallDueAt", "at", "alertId",
 * "message"): `created` has the calls not recorded before, each with its alert.
 */
const refusalCtes = (refusing: string) => `created AS (
         INSERT INTO "Call" ("id", "vapiCallId", "userId", "status", "flag", "controlUrl", "startedAt", "vapiStatus", "endCallDueAt", "createdAt", "updatedAt")
         SELECT "callId", "vapiCallId", (SELECT u."id" FROM "User" u WHERE u."id" = i."userId"), 'UNAUTHORIZED', "flag"::"CallFlag", "controlUrl",
           "startedAt", "vapiStatus", "endCallDueAt", "at", "at"
         FROM ${refusing} i
         ON CONFLICT DO NOTHING
         RETURNING *
       ), alert AS (
         INSERT INTO "Alert" ("id", "kind", "userId", "vapiCallId", "message", "createdAt")
         SELECT i."alertId", 'UNAUTHORIZED_CALL', c."userId", c."vapiCallId", i."message", i."at" FROM created c JOIN ${refusing} i ON i."callId" = c."id"
       )`;

async function recordUnauthorized(
  db: Db,
  s: CallSighting,
  flag: CallFlag,
  userId: string | null,
  now: Date,
  processedKey?: string,
): Promise<Authorization> {
  const call = await recordUnauthorizedCalls(db, { s, flag, userId, now, processedKey });
  if (!call) return { call: (await findCall(db, s.vapiCallId))!, fresh: false };
  await endUnauthorized(s, flag, call.userId);
  return { call, fresh: true };
}

/** A call just recorded unauthorized: logged, and if live, told to end (the enforcer's end-call follows). */
async function endUnauthorized(
  s: { vapiCallId: string; controlUrl?: string; live: boolean },
  flag: CallFlag,
  userId: string | null,
) {
  log.warn(
    { callId: s.vapiCallId, userId: userId ?? undefined, flag, live: s.live },
    "Call without a valid start: unauthorized, ending it",
  );
  if (s.live && s.controlUrl) {
    metrics.unauthorizedCallsEnded.inc();
    await sayOnCall(s.controlUrl, UNAUTHORIZED_NOTICE, { endCallAfterSpoken: true });
  }
}

type Refusal = { s: CallSighting; flag: CallFlag; userId: string | null; now: Date; processedKey?: string };

/**
 * Records each call as unauthorized, with its alert and the mark, in one statement for the calls
 * refused together. A call recorded before (a redelivery, or a concurrent attempt) gets null: only
 * the attempt that recorded it speaks to it.
 */
const recordUnauthorizedCalls = batched<Refusal, Call | null>({
  laneOf: (refusal) => `call:${refusal.s.vapiCallId}`,
  run: async (db, refusals) => {
    const callIds = refusals.map(() => randomUUID());
    const column = <T>(f: (r: Refusal) => T) => refusals.map(f);
    const { rows } = await db.pool.query<Call>(
      prepared({
        text: `WITH input AS (
         SELECT *, ${alertMessageSql(`i."flag"`, `i."controlUrl"`)} AS "message"
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamp[], $7::text[], $8::timestamp[],
                     $9::timestamp[], $10::text[], $11::text[])
           AS i("callId", "vapiCallId", "userId", "flag", "controlUrl", "startedAt", "vapiStatus", "endCallDueAt", "at", "alertId", "processedKey")
       ), ${refusalCtes("input")}, processed AS (${markEachProcessedSql("input", "$11")})
       SELECT * FROM created`,
        values: [
          callIds,
          column((r) => r.s.vapiCallId),
          column((r) => r.userId),
          column((r) => r.flag),
          column((r) => r.s.controlUrl ?? null),
          column((r) => utc(r.s.startedAt)),
          column((r) => (r.s.live ? "in-progress" : "ended")),
          column((r) => (r.s.live ? utc(new Date(r.now.getTime() + END_AFTER_NOTICE_MS)) : null)),
          column((r) => utc(r.now)),
          column(() => randomUUID()),
          column((r) => r.processedKey ?? null),
        ],
      }),
    );
    // Each created row carries the id its input row gave it: a call named twice was created for one of them.
    const created = new Map(rows.map((call) => [call.id, call]));
    return callIds.map((id) => created.get(id) ?? null);
  },
});
