import { Prisma } from "@/lib/generated/prisma/client";
import type { LedgerEntry, LedgerKind, Reservation } from "@/lib/generated/prisma/client";
import { parameters, prepared, utc, type Db, type Param } from "@/lib/db/client";
import { LedgerError, alreadyInCall, insufficientCredits, reservationClosed } from "./errors";

type Tx = Prisma.TransactionClient;
type Move = {
  userId: string;
  kind: LedgerKind;
  availableDelta: number;
  heldDelta: number;
  reservationId?: string;
  actor: string;
  reason?: string;
  idempotencyKey: string;
};

/**
 * The SQL that changes a balance, as two CTEs of a statement that defines `moves` (columns "userId",
 * "kind", "availableDelta", "heldDelta", "reservationId", "actor", "reason", "idempotencyKey",
 * "createdAt"): `account`, the account rows changed by the moves' sums, and `entries`, the ledger
 * entries written. A balance that would go below zero fails the whole statement (the User row's
 * CHECK constraint).
 */
const applyMovesSql = `account AS (
     UPDATE "User" u SET "available" = u."available" + m."available", "held" = u."held" + m."held"
     FROM (SELECT "userId", sum("availableDelta")::int AS "available", sum("heldDelta")::int AS "held"
           FROM moves GROUP BY "userId") m
     WHERE u."id" = m."userId"
   ), entries AS (
     INSERT INTO "LedgerEntry" ("userId", "kind", "availableDelta", "heldDelta", "reservationId", "actor", "reason", "idempotencyKey", "createdAt")
     SELECT "userId", "kind"::"LedgerKind", "availableDelta", "heldDelta", "reservationId", "actor", "reason", "idempotencyKey", "createdAt"
     FROM moves
     RETURNING *
   )`;

/** Moves one account's credits, in the caller's Prisma transaction; one that the account cannot cover throws. */
async function move(tx: Tx, ...moves: [Move, ...Move[]]): Promise<LedgerEntry[]> {
  const column = <K extends keyof Move>(key: K) => moves.map((m) => m[key] ?? null);
  try {
    return await tx.$queryRawUnsafe<LedgerEntry[]>(
      `WITH moves AS (
         SELECT $1::text AS "userId", $2::timestamp AS "createdAt", e.* FROM unnest($3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS e("kind", "availableDelta", "heldDelta", "reservationId", "actor", "reason", "idempotencyKey")
       ), ${applyMovesSql}
       SELECT * FROM entries`,
      moves[0].userId,
      utc(new Date()),
      column("kind"),
      column("availableDelta"),
      column("heldDelta"),
      column("reservationId"),
      column("actor"),
      column("reason"),
      column("idempotencyKey"),
    );
  } catch (error) {
    if (isNegativeBalance(error)) throw insufficientCredits(-moves.reduce((sum, m) => sum + m.availableDelta, 0));
    throw error;
  }
}

/** What PostgreSQL said of a raw statement that failed, from Prisma's error (P2010). */
function driverCause(error: unknown) {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  return (error.meta?.driverAdapterError as { cause?: { kind?: string; message?: string } } | undefined)?.cause;
}

/** A unique key taken: P2002 from the ORM, or a raw statement's UniqueConstraintViolation. */
function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return true;
  return driverCause(error)?.kind === "UniqueConstraintViolation";
}

/** A balance that would have gone below zero (the User row's CHECK constraint). */
const isNegativeBalance = (error: unknown) =>
  driverCause(error)?.message?.includes("User_credits_nonnegative") ?? false;

function assertCredits(credits: number) {
  if (!Number.isSafeInteger(credits) || credits === 0)
    throw new LedgerError("invalid-amount", "Credits must be a whole, non-zero number.");
}

type Adjustment = { userId: string; credits: number; actor: string; reason: string; idempotencyKey: string };

/**
 * Adds (or, with a negative amount, deducts) credits. Same key again → the first entry, nothing
 * changed. `alongside` runs in the same transaction, once, when the entry is first written (an
 * audit row, say), so the two commit or fail together.
 */
export async function adjust(
  db: Db,
  a: Adjustment,
  alongside?: (tx: Tx, entry: LedgerEntry) => Promise<unknown>,
): Promise<LedgerEntry> {
  assertCredits(a.credits);
  const kind: LedgerKind = a.credits > 0 ? "GRANT" : "DEDUCT";
  try {
    return await db.$transaction(async (tx) => {
      const [entry] = await move(tx, {
        userId: a.userId,
        kind,
        availableDelta: a.credits,
        heldDelta: 0,
        actor: a.actor,
        reason: a.reason,
        idempotencyKey: a.idempotencyKey,
      });
      await alongside?.(tx, entry);
      return entry;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return db.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: a.idempotencyKey } });
  }
}

export function grant(db: Db, g: Adjustment) {
  if (g.credits <= 0) throw new LedgerError("invalid-amount", "A grant adds a positive number of credits.");
  return adjust(db, g);
}

export type ReserveRequest = {
  userId: string;
  minCredits: number;
  maxCredits: number;
  /** How many seconds of call the held credits pay for. */
  secondsFor: (credits: number) => number;
  expiresAt: Date;
  idempotencyKey: string;
  actor: string;
};

/**
 * Holds the available balance up to maxCredits. Safe under concurrency because the user row is
 * locked while the amount is taken, and the partial unique index "one HELD reservation per
 * user" refuses a second live reservation.
 */
export async function reserve(db: Db, r: ReserveRequest): Promise<Reservation> {
  const existing = await db.reservation.findUnique({ where: { idempotencyKey: r.idempotencyKey } });
  if (existing) return existing;
  if (await db.reservation.findFirst({ where: { userId: r.userId, status: "HELD" }, select: { id: true } }))
    throw alreadyInCall();
  try {
    return await db.$transaction(async (tx) => {
      const [locked] = await tx.$queryRaw<
        { available: number }[]
      >`SELECT "available" FROM "User" WHERE "id" = ${r.userId} FOR UPDATE`;
      if (!locked) throw new LedgerError("not-found", "No such user.");
      const retried = await tx.reservation.findUnique({ where: { idempotencyKey: r.idempotencyKey } });
      if (retried) return retried;
      if (locked.available < r.minCredits) throw insufficientCredits(r.minCredits);
      const credits = Math.min(locked.available, r.maxCredits);
      const reservation = await tx.reservation.create({
        data: {
          userId: r.userId,
          credits,
          seconds: r.secondsFor(credits),
          expiresAt: r.expiresAt,
          idempotencyKey: r.idempotencyKey,
        },
      });
      await move(tx, {
        userId: r.userId,
        kind: "HOLD",
        availableDelta: -credits,
        heldDelta: credits,
        reservationId: reservation.id,
        actor: r.actor,
        idempotencyKey: `hold:${reservation.id}`,
      });
      return reservation;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const retried = await db.reservation.findUnique({ where: { idempotencyKey: r.idempotencyKey } });
    if (retried) return retried;
    throw alreadyInCall();
  }
}

type Close = { status: "CAPTURED" | "RELEASED" | "EXPIRED"; captured: number; actor: string; reason?: string };
/** Closes only a reservation no call has bound to (and, for an expiry, one whose time is up). */
type OnlyIf = { unbound?: true; expiredBy?: Date };

/**
 * Closes of HELD reservations, as CTEs of one statement. `closing` is a query of the closes, with
 * columns "reservationId", "captured" (credits to take), "actor", "reason" and "at", and `ids` the
 * placeholder of their reservation ids as a text[] parameter: the reservations are found by it
 * (joined on `closing` alone, with no statistics yet, the planner read every held reservation).
 * `closed` has the reservations it closed (none for one that was not HELD), and the capture and
 * release entries move their credits with them.
 */
function closeCtes(p: Param, closing: string, ids: string, status: Close["status"], onlyIf: OnlyIf = {}) {
  const used = `LEAST(GREATEST(0, s."captured"), r."credits")`;
  const expiredBy = p(onlyIf.expiredBy ? utc(onlyIf.expiredBy) : null);
  // The capture's key is capture:<reservation>, the release's release: or expire:<reservation>: a close happens once.
  return `closing AS (${closing}), closed AS (
     UPDATE "Reservation" r SET "status" = ${p(status)}::"ReservationStatus", "capturedCredits" = ${used},
       "releasedCredits" = r."credits" - ${used}, "closedAt" = s."at"
     FROM closing s
     WHERE r."id" = ANY(${ids}::text[]) AND r."id" = s."reservationId" AND r."status" = 'HELD' AND (r."vapiCallId" IS NULL OR NOT ${p(onlyIf.unbound ?? false)}::boolean)
       AND (r."expiresAt" <= ${expiredBy}::timestamp OR ${expiredBy}::timestamp IS NULL)
     RETURNING r.*
   ), moves AS (
     SELECT r."userId", e."kind", e."availableDelta", e."heldDelta", r."id" AS "reservationId",
       s."actor", s."reason", lower(e."kind") || ':' || r."id" AS "idempotencyKey", r."closedAt" AS "createdAt"
     FROM closed r JOIN closing s ON s."reservationId" = r."id"
     CROSS JOIN LATERAL (VALUES ('CAPTURE', 0, -r."capturedCredits"),
       (${p(status === "EXPIRED" ? "EXPIRE" : "RELEASE")}::text, r."releasedCredits", -r."releasedCredits"))
       AS e("kind", "availableDelta", "heldDelta")
     WHERE e."heldDelta" <> 0
   ), ${applyMovesSql}`;
}

/** Closes a HELD reservation exactly once, in one statement; a retry of the same close returns the closed reservation. */
async function close(db: Db, reservationId: string, c: Close, onlyIf: OnlyIf = {}): Promise<Reservation | null> {
  const { p, values } = parameters();
  const closing = `SELECT ${p(reservationId)}::text AS "reservationId", ${p(c.captured)}::int AS "captured",
    ${p(c.actor)}::text AS "actor", ${p(c.reason ?? null)}::text AS "reason", ${p(utc(new Date()))}::timestamp AS "at"`;
  const text = `WITH ${closeCtes(p, closing, p([reservationId]), c.status, onlyIf)} SELECT * FROM closed`;
  // The conditional update locks the row: a concurrent close waits, then finds it closed.
  const {
    rows: [closed],
  } = await db.pool.query<Reservation>(prepared({ text, values }));
  return closed ?? closedBefore(db, reservationId, c.status);
}

/** A reservation the close did not find HELD: closed the same way before (a retry) returns it; null if still HELD. */
async function closedBefore(db: Db, reservationId: string, status: Close["status"]) {
  const {
    rows: [held],
  } = await db.pool.query<Reservation>({
    text: `SELECT * FROM "Reservation" WHERE "id" = $1`,
    values: [reservationId],
  });
  if (!held) throw new LedgerError("not-found", "No such reservation.");
  if (held.status === "HELD") return null; // bound to a call, or not yet expired
  if (held.status !== status) throw reservationClosed(held.status);
  return held;
}

/** Takes min(used, held) and gives the rest back. */
export async function capture(
  db: Db,
  reservationId: string,
  usedCredits: number,
  actor = "system",
): Promise<Reservation> {
  return (await close(db, reservationId, { status: "CAPTURED", captured: usedCredits, actor }))!;
}

/**
 * Captures as CTEs of the caller's statement, so what they commit with (the calls' bills) commits
 * with them. `closing` is a query of the captures ("reservationId", "captured" (credits used),
 * "actor", "reason" and "at"), `ids` their reservation ids (see closeCtes). `closed` has each
 * reservation that was HELD; one not in it was closed before (then `capture` tells how).
 */
export const captureCtes = (p: Param, closing: string, ids: string) => closeCtes(p, closing, ids, "CAPTURED");

export async function release(db: Db, reservationId: string, why: string, actor = "system"): Promise<Reservation> {
  return (await close(db, reservationId, { status: "RELEASED", captured: 0, actor, reason: why }))!;
}

/** Releases a reservation no call has bound to yet; null when a call bound first (then it stays held for that call). */
export async function releaseUnbound(
  db: Db,
  reservationId: string,
  why: string,
  actor: string,
): Promise<Reservation | null> {
  return close(db, reservationId, { status: "RELEASED", captured: 0, actor, reason: why }, { unbound: true });
}

/** Expires reservations whose expiresAt passed without a call bound to them: their credits go back to available. */
export async function expireStale(db: Db, now: Date): Promise<Reservation[]> {
  // Every tick of the enforcer asks, so plain SQL (the ORM's per-query cost showed).
  const { rows: stale } = await db.pool.query<{ id: string }>(
    prepared({
      text: `SELECT "id" FROM "Reservation" WHERE "status" = 'HELD' AND "vapiCallId" IS NULL AND "expiresAt" <= $1::timestamp LIMIT 500`,
      values: [utc(now)],
    }),
  );
  const expired: Reservation[] = [];
  for (const { id } of stale) {
    const closed = await close(
      db,
      id,
      { status: "EXPIRED", captured: 0, actor: "system", reason: "never started" },
      { unbound: true, expiredBy: now },
    );
    if (closed) expired.push(closed);
  }
  return expired;
}
