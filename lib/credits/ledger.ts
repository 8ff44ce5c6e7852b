import { Prisma } from "@/lib/generated/prisma/client";
import type { LedgerEntry, LedgerKind, Reservation } from "@/lib/generated/prisma/client";
import { inTransaction, prepared, utc, type Db, type Sql } from "@/lib/db/client";
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
    (await sql.query(prepared({ text, values }))).rows;

/**
 * The one place a balance changes: the account row and its ledger entries (one account's), in the
 * caller's transaction. One statement (it runs in every settlement); moves the account cannot
 * cover in sum write their entries but throw, so the caller's transaction rolls them back.
 */
async function move(run: Run, ...moves: [Move, ...Move[]]): Promise<LedgerEntry[]> {
  const column = <K extends keyof Move>(key: K) => moves.map((m) => m[key] ?? null);
  const sum = (key: "availableDelta" | "heldDelta") => moves.reduce((total, m) => total + m[key], 0);
  const entries = await run(
    `WITH account AS (
       UPDATE "User" SET "available" = "available" + $2, "held" = "held" + $3
       WHERE "id" = $1 AND "available" >= -$2::int AND "held" >= -$3::int
       RETURNING 1
     )
     INSERT INTO "LedgerEntry" ("userId", "kind", "availableDelta", "heldDelta", "reservationId", "actor", "reason", "idempotencyKey", "createdAt")
     SELECT $1, e."kind"::"LedgerKind", e."availableDelta", e."heldDelta", e."reservationId", e."actor", e."reason", e."idempotencyKey", $4::timestamp
     FROM unnest($5::text[], $6::int[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[])
       AS e("kind", "availableDelta", "heldDelta", "reservationId", "actor", "reason", "idempotencyKey")
     RETURNING *, EXISTS (SELECT 1 FROM account) AS "accountChanged"`,
    [
      moves[0].userId,
      sum("availableDelta"),
      sum("heldDelta"),
      utc(new Date()),
      column("kind"),
      column("availableDelta"),
      column("heldDelta"),
      column("reservationId"),
      column("actor"),
      column("reason"),
      column("idempotencyKey"),
    ],
  );
  if (!entries[0].accountChanged) throw insufficientCredits(-sum("availableDelta"));
  // The id is a bigint: Prisma reads it as one, pg as a string.
  return entries.map((entry) => {
    delete entry.accountChanged;
    return { ...entry, id: BigInt(entry.id as string | bigint) } as LedgerEntry;
  });
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
      const [entry] = await move(inPrisma(tx), {
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
    // Closed by a conditional update, which locks the row: a concurrent close waits, then finds it closed.
    const {
      rows: [closed],
    } = await sql.query<Reservation>(
      prepared({
        text: `UPDATE "Reservation" SET "status" = $2::"ReservationStatus", "capturedCredits" = LEAST(GREATEST(0, $3::int), "credits"),
               "releasedCredits" = "credits" - LEAST(GREATEST(0, $3::int), "credits"), "closedAt" = $4::timestamp
             WHERE "id" = $1 AND "status" = 'HELD' AND ("vapiCallId" IS NULL OR NOT $5::boolean)
               AND ("expiresAt" <= $6::timestamp OR $6::timestamp IS NULL)
             RETURNING *`,
        values: [
          reservationId,
          c.status,
          c.captured,
          utc(new Date()),
          onlyIf.unbound ?? false,
          onlyIf.expiredBy ? utc(onlyIf.expiredBy) : null,
        ],
      }),
    );
    if (!closed) {
      const {
        rows: [held],
      } = await sql.query<Reservation>({
        text: `SELECT * FROM "Reservation" WHERE "id" = $1 FOR UPDATE`,
        values: [reservationId],
      });
      if (!held) throw new LedgerError("not-found", "No such reservation.");
      if (held.status === "HELD") return null; // bound to a call, or not yet expired
      if (held.status !== c.status) throw reservationClosed(held.status);
      await alongside?.(sql, held);
      return held;
    }
    const base = { userId: closed.userId, reservationId, actor: c.actor, reason: c.reason };
    const releaseKind = c.status === "EXPIRED" ? "EXPIRE" : "RELEASE";
    const captured: Move = {
      ...base,
      kind: "CAPTURE",
      availableDelta: 0,
      heldDelta: -closed.capturedCredits,
      idempotencyKey: `capture:${reservationId}`,
    };
    const released: Move = {
      ...base,
      kind: releaseKind,
      availableDelta: closed.releasedCredits,
      heldDelta: -closed.releasedCredits,
      idempotencyKey: `${releaseKind.toLowerCase()}:${reservationId}`,
    };
    const [first, ...more] = [captured, released].filter((m) => m.heldDelta !== 0);
    if (first) await move(onConnection(sql), first, ...more);
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
