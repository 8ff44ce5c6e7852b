import { Prisma } from "@/lib/generated/prisma/client";
import type { LedgerEntry, LedgerKind, Reservation } from "@/lib/generated/prisma/client";
import { inTransaction, utc, type Db, type Sql } from "@/lib/db/client";
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

/** Runs one SQL statement with $1… parameters: in a Prisma transaction, or on a pooled connection's. */
type Run = (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>;
const inPrisma =
  (tx: Tx): Run =>
  (text, values) =>
    tx.$queryRawUnsafe(text, ...values);
const onConnection =
  (sql: Sql): Run =>
  async (text, values) =>
    (await sql.query({ text, values })).rows;

/**
 * The one place a balance changes: the account row and its ledger entry, in the caller's
 * transaction. One statement (it runs twice in every settlement); a move the account cannot
 * cover writes its entry but throws, so the caller's transaction rolls it back.
 */
async function move(run: Run, m: Move): Promise<LedgerEntry> {
  const [entry] = await run(
    `WITH account AS (
       UPDATE "User" SET "available" = "available" + $3, "held" = "held" + $4
       WHERE "id" = $1 AND "available" >= -$3::int AND "held" >= -$4::int
       RETURNING 1
     )
     INSERT INTO "LedgerEntry" ("userId", "kind", "availableDelta", "heldDelta", "reservationId", "actor", "reason", "idempotencyKey", "createdAt")
     VALUES ($1, $2::"LedgerKind", $3, $4, $5, $6, $7, $8, $9::timestamp)
     RETURNING *, EXISTS (SELECT 1 FROM account) AS "accountChanged"`,
    [
      m.userId,
      m.kind,
      m.availableDelta,
      m.heldDelta,
      m.reservationId ?? null,
      m.actor,
      m.reason ?? null,
      m.idempotencyKey,
      utc(new Date()),
    ],
  );
  if (!entry.accountChanged) throw insufficientCredits(-m.availableDelta);
  delete entry.accountChanged;
  // A bigint: Prisma reads it as one, pg as a string.
  return { ...entry, id: BigInt(entry.id as string | bigint) } as LedgerEntry;
}

/** A unique key taken: P2002 from the ORM, or P2010 (a raw statement failed) with the driver's UniqueConstraintViolation. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  const driverError = error.meta?.driverAdapterError as { cause?: { kind?: string } } | undefined;
  return error.code === "P2002" || (error.code === "P2010" && driverError?.cause?.kind === "UniqueConstraintViolation");
}

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
      const entry = await move(inPrisma(tx), {
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
      await move(inPrisma(tx), {
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
/** Runs in the closing transaction, with the reservation locked: also when it was closed the same way before (a retry). */
type AlongsideClose = (sql: Sql, closed: Reservation) => Promise<unknown>;
/** Closes only a reservation no call has bound to (and, for an expiry, one whose time is up). */
type OnlyIf = { unbound?: true; expiredBy?: Date };

/** Closes a HELD reservation exactly once; a retry of the same close returns the closed reservation. */
async function close(
  db: Db,
  reservationId: string,
  c: Close,
  onlyIf: OnlyIf = {},
  alongside?: AlongsideClose,
): Promise<Reservation | null> {
  return inTransaction(db, async (sql) => {
    const {
      rows: [held],
    } = await sql.query<Reservation>({
      text: `SELECT * FROM "Reservation" WHERE "id" = $1 FOR UPDATE`,
      values: [reservationId],
    });
    if (!held) throw new LedgerError("not-found", "No such reservation.");
    if (held.status !== "HELD") {
      if (held.status !== c.status) throw reservationClosed(held.status);
      await alongside?.(sql, held);
      return held;
    }
    if (onlyIf.unbound && held.vapiCallId !== null) return null;
    if (onlyIf.expiredBy && held.expiresAt > onlyIf.expiredBy) return null;
    const captured = Math.min(Math.max(0, c.captured), held.credits);
    const released = held.credits - captured;
    const base = { userId: held.userId, reservationId, actor: c.actor, reason: c.reason };
    const run = onConnection(sql);
    if (captured > 0)
      await move(run, {
        ...base,
        kind: "CAPTURE",
        availableDelta: 0,
        heldDelta: -captured,
        idempotencyKey: `capture:${reservationId}`,
      });
    if (released > 0) {
      const kind = c.status === "EXPIRED" ? "EXPIRE" : "RELEASE";
      await move(run, {
        ...base,
        kind,
        availableDelta: released,
        heldDelta: -released,
        idempotencyKey: `${kind.toLowerCase()}:${reservationId}`,
      });
    }
    const {
      rows: [closed],
    } = await sql.query<Reservation>({
      text: `UPDATE "Reservation" SET "status" = $2::"ReservationStatus", "capturedCredits" = $3, "releasedCredits" = $4, "closedAt" = $5::timestamp
             WHERE "id" = $1 RETURNING *`,
      values: [reservationId, c.status, captured, released, utc(new Date())],
    });
    await alongside?.(sql, closed);
    return closed;
  });
}

/** Takes min(used, held) and gives the rest back; `alongside` commits with it (the call's bill, say). */
export async function capture(
  db: Db,
  reservationId: string,
  usedCredits: number,
  actor = "system",
  alongside?: AlongsideClose,
): Promise<Reservation> {
  return (await close(db, reservationId, { status: "CAPTURED", captured: usedCredits, actor }, {}, alongside))!;
}

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
  const due = { status: "HELD" as const, vapiCallId: null, expiresAt: { lte: now } };
  const stale = await db.reservation.findMany({ where: due, select: { id: true }, take: 500 });
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
