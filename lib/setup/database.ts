import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { SetupError } from "./errors";

type PgError = Error & { code?: string; errors?: { code?: string }[] };

/** host:port/database, without the password. */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

const FIX = "Start that PostgreSQL or correct DATABASE_URL (`npm run dev` without DATABASE_URL runs an embedded one).";

/** The connection problems a user can fix, as a SetupError naming DATABASE_URL; others undefined. */
export function databaseSetupError(error: unknown, url: string): SetupError | undefined {
  const e = error as PgError;
  // Node reports a refused "localhost" (tried on ::1 and 127.0.0.1) as an AggregateError.
  const code = e?.code ?? e?.errors?.[0]?.code;
  const where = `PostgreSQL at ${describeUrl(url)} (DATABASE_URL)`;
  if (code === "ECONNREFUSED") return new SetupError(`Cannot connect to ${where}: connection refused.`, FIX);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new SetupError(`Cannot connect to ${where}: host ${new URL(url).hostname} not found.`, FIX);
  if (code === "ETIMEDOUT" || /timeout/i.test(e?.message ?? ""))
    return new SetupError(`Cannot connect to ${where}: no answer.`, FIX);
  if (code === "28P01" || code === "28000")
    return new SetupError(
      `${where} refused the login: ${e.message}.`,
      "Correct the user name and password in DATABASE_URL.",
    );
  if (code === "3D000")
    return new SetupError(`${where}: ${e.message}.`, "Create that database, then run `npx prisma migrate deploy`.");
  return undefined;
}

/** Migrations in prisma/migrations that the database has not applied (all of them without Prisma's table). */
export async function missingMigrations(
  url: string,
  migrationsDir = path.join(process.cwd(), "prisma", "migrations"),
): Promise<string[]> {
  const wanted = fs
    .readdirSync(migrationsDir)
    .filter((name) => fs.existsSync(path.join(migrationsDir, name, "migration.sql")));
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw databaseSetupError(error, url) ?? error;
  }
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return wanted.filter((name) => !applied.has(name));
  } catch (error) {
    if ((error as PgError).code === "42P01") return wanted;
    throw error;
  } finally {
    await client.end();
  }
}

export async function assertMigrated(url: string) {
  const missing = await missingMigrations(url);
  if (!missing.length) return;
  throw new SetupError(
    `The database at ${describeUrl(url)} (DATABASE_URL) lacks ${missing.length} migration(s), from ${missing[0]}.`,
    "Apply them with `npx prisma migrate deploy` (it reads DATABASE_URL), then start again.",
  );
}
