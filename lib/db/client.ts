import "server-only";
import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

/**
 * The Prisma client, and the pg pool it runs on. The pool is for the few statements that run for
 * every webhook message: plain SQL there skips the ORM's per-query cost (about 0.35 ms of CPU each).
 */
export type Db = PrismaClient & { readonly pool: pg.Pool };

/** A connection that cannot be had in this time is an error, not a wait. */
const CONNECTION_WAIT_MS = 10_000;

export function createDb(connectionString: string): Db {
  // keepAlive notices a dead connection.
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: CONNECTION_WAIT_MS,
    keepAlive: true,
    types: utcTimestamps,
  });
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    // Transactions wait as long. Prisma's maxWait (2 s by default) does not cut the wait short: it
    // rolls back a transaction whose connection came later, failing it (P2028) under a burst of
    // ledger writes, where a single query would have waited and run.
    transactionOptions: { maxWait: CONNECTION_WAIT_MS },
  });
  return Object.assign(prisma, { pool });
}

/**
 * A time for a plain-SQL parameter. Prisma keeps DateTime columns as UTC in `timestamp` (no time
 * zone); pg would send a Date in the server's local zone, which such a column takes at face value.
 */
export const utc = (date: Date) => date.toISOString();

const statementNames = new Map<string, string>();

/**
 * A named prepared statement: PostgreSQL parses and plans it once per connection, then reuses the
 * plan. For the statements every call runs, where it cut PostgreSQL's CPU per message by a third or
 * more. Its text must be fixed (no values spliced in), or every variant stays prepared on every
 * connection. (A pooler in front of PostgreSQL must keep prepared statements: PgBouncer 1.21+,
 * `max_prepared_statements`.)
 */
export function prepared(statement: { text: string; values: unknown[]; query_timeout?: number }): pg.QueryConfig {
  let name = statementNames.get(statement.text);
  if (!name) {
    name = `coach_${createHash("sha1").update(statement.text).digest("hex").slice(0, 16)}`;
    statementNames.set(statement.text, name);
  }
  return { ...statement, name };
}

/** Where a plain statement runs: the pool, or one of its connections. */
export type Sql = Pick<pg.PoolClient, "query">;

/** Adds a value to a statement's parameters and gives its placeholder ($1, $2…). */
export type Param = (value: unknown) => string;

/** Parameters for a statement put together from parts (`p` in each part, `values` for the query). */
export function parameters(): { p: Param; values: unknown[] } {
  const values: unknown[] = [];
  return { values, p: (value) => `$${values.push(value)}` };
}

const TIMESTAMP_OID = 1114;
/** Plain-SQL reads of those columns, as UTC too (pg would read them in the server's local zone). Prisma's adapter sets its own parsers. */
const utcTimestamps = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary"
      ? (value: string) => new Date(`${value.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

const globalForDb = globalThis as unknown as { coachDb?: Db };

/** The app's shared client; DATABASE_URL is set by `npm run dev`, the e2e stack, or the operator. */
export function db(): Db {
  globalForDb.coachDb ??= createDb(databaseUrl());
  return globalForDb.coachDb;
}

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start the app with `npm run dev`, or set it to your PostgreSQL.");
  return url;
}
