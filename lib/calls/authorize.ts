import { randomUUID } from "node:crypto";
import { DatabaseError } from "pg";
import { z } from "zod";
import { prepared, utc, type Db } from "@/lib/db/client";
import type { Call, CallFlag } from "@/lib/generated/prisma/client";
import { sayOnCall } from "@/lib/vapi/control";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { type StartTokenClaims, verifyStartToken } from "./start-token";
import { markProcessed, markProcessedSql } from "./processed-mark";
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
    const bound = await bindAndCreate(db, s, claims.reservationId, now, processedKey);
    if (bound === "refused") unauthorizedFor = "REPLAYED_TOKEN";
    else if (bound === "suspended") unauthorizedFor = "SUSPENDED";
    else return bound;
  }
  return recordUnauthorized(db, s, unauthorizedFor ?? "MISSING_TOKEN", claims?.userId ?? null, now, processedKey);
}

/** The call's row, by Vapi's id. */
export async function findCall(db: Db, vapiCallId: string): Promise<Call | null> {
  const { rows } = await db.pool.query<Call>(
    prepared({
      text: `SELECT * FROM "Call" WHERE "vapiCallId" = $1`,
      values: [vapiCallId],
    }),
  );
  return rows[0] ?? null;
}

/**
 * Binds the reservation to this call and creates the call with its deadlines (from the seconds
 * the reservation paid for), in one statement with the mark: FOR SHARE on the account, so a
 * suspension committing meanwhile waits for this bind (and then ends the call), or is seen here.
 * A call row that exists already rolls it all back: whoever recorded it decided, and is returned.
 * A reservation taken by another call, closed, expired or unknown is refused (a replay).
 */
async function bindAndCreate(
  db: Db,
  s: CallSighting,
  reservationId: string,
  now: Date,
  processedKey?: string,
): Promise<Authorization | "refused" | "suspended"> {
  try {
    const { rows } = await db.pool.query<Call & { suspended: boolean | null }>(
      prepared({
        text: `WITH holder AS (
         SELECT u."suspendedAt" FROM "User" u JOIN "Reservation" r ON r."userId" = u."id" WHERE r."id" = $1 FOR SHARE OF u
       ), bound AS (
         UPDATE "Reservation" SET "vapiCallId" = $2, "boundAt" = $3::timestamp
         WHERE "id" = $1 AND "status" = 'HELD' AND ("vapiCallId" IS NULL OR "vapiCallId" = $2) AND "expiresAt" > $3::timestamp
           AND NOT EXISTS (SELECT 1 FROM holder WHERE "suspendedAt" IS NOT NULL)
         RETURNING "id", "userId", "seconds", $3::timestamp + make_interval(secs => "seconds") AS "cutoffAt"
       ), created AS (
         INSERT INTO "Call" ("id", "vapiCallId", "userId", "reservationId", "status", "controlUrl", "startedAt", "vapiStatus",
                             "cutoffAt", "warnAt", "goodbyeAt", "endCallDueAt", "createdAt", "updatedAt")
         SELECT $4, $2, "userId", "id", 'ACTIVE', $5, $3::timestamp, 'in-progress', "cutoffAt",
           CASE WHEN "seconds" >= 2 * $7::int THEN "cutoffAt" - make_interval(secs => $7) END,
           CASE WHEN "seconds" > 2 * $8::int THEN "cutoffAt" - make_interval(secs => $8) END,
           "cutoffAt", $6::timestamp, $6::timestamp
         FROM bound
         RETURNING *
       ), processed AS (
         ${markProcessedSql("$9", "$6")} AND EXISTS (SELECT 1 FROM created)
       )
       SELECT c.*, (SELECT "suspendedAt" IS NOT NULL FROM holder) AS "suspended" FROM (SELECT 1) AS one LEFT JOIN created c ON true`,
        values: [
          reservationId,
          s.vapiCallId,
          utc(s.startedAt),
          randomUUID(),
          s.controlUrl ?? null,
          utc(now),
          // Warn only a call at least twice as long as the warning's lead; say goodbye only if it fits.
          warnBeforeCutoffSeconds(),
          GOODBYE_BEFORE_CUTOFF_SECONDS,
          processedKey ?? null,
        ],
      }),
    );
    const { suspended, ...call } = rows[0];
    if (call.id) return { call: call as Call, fresh: true };
    if (suspended) return "suspended";
  } catch (error) {
    // The call row exists already, or another reservation is bound to this call id: the whole
    // statement rolled back (the bind too), and whoever got there first decided.
    if (!(error instanceof DatabaseError && error.code === "23505")) throw error;
  }
  return "refused";
}

async function recordUnauthorized(
  db: Db,
  s: CallSighting,
  flag: CallFlag,
  userId: string | null,
  now: Date,
  processedKey?: string,
): Promise<Authorization> {
  // The call, its alert and the mark commit together (one statement), and only the attempt that
  // recorded the call speaks to it: a redelivery, or a concurrent one, finds the call and stops there.
  const { rows } = await db.pool.query<Call>(
    prepared({
      text: `WITH created AS (
       INSERT INTO "Call" ("id", "vapiCallId", "userId", "status", "flag", "controlUrl", "startedAt", "vapiStatus", "endCallDueAt", "createdAt", "updatedAt")
       VALUES ($1, $2, (SELECT "id" FROM "User" WHERE "id" = $3), 'UNAUTHORIZED', $4::"CallFlag", $5, $6::timestamp, $7, $8::timestamp, $9::timestamp, $9::timestamp)
       ON CONFLICT DO NOTHING
       RETURNING *
     ), alert AS (
       INSERT INTO "Alert" ("id", "kind", "userId", "vapiCallId", "message", "createdAt")
       SELECT $10, 'UNAUTHORIZED_CALL', "userId", "vapiCallId", $11, $9::timestamp FROM created
     ), processed AS (
       ${markProcessedSql("$12", "$9")} AND EXISTS (SELECT 1 FROM created)
     )
     SELECT * FROM created`,
      values: [
        randomUUID(),
        s.vapiCallId,
        userId,
        flag,
        s.controlUrl ?? null,
        utc(s.startedAt),
        s.live ? "in-progress" : "ended",
        s.live ? utc(new Date(now.getTime() + END_AFTER_NOTICE_MS)) : null,
        utc(now),
        randomUUID(),
        `Call without a valid start (${flag})${s.controlUrl ? "" : "; it has no control URL to end it"}.`,
        processedKey ?? null,
      ],
    }),
  );
  const call = rows[0];
  if (!call) {
    await markProcessed(db.pool, processedKey, now);
    return { call: (await findCall(db, s.vapiCallId))!, fresh: false };
  }
  log.warn(
    { callId: s.vapiCallId, userId: call.userId ?? undefined, flag, live: s.live },
    "Call without a valid start: unauthorized, ending it",
  );
  if (s.live && s.controlUrl) {
    metrics.unauthorizedCallsEnded.inc();
    await sayOnCall(s.controlUrl, UNAUTHORIZED_NOTICE, { endCallAfterSpoken: true });
  }
  return { call, fresh: true };
}
