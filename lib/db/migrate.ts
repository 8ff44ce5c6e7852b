import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { runMigrations } from "graphile-worker";
import { SetupError } from "@/lib/setup/errors";

const run = promisify(execFile);
const prismaBin = path.join(process.cwd(), "node_modules", ".bin", "prisma");

/** Creates the database when missing (PostgreSQL has no CREATE DATABASE IF NOT EXISTS). */
export async function ensureDatabase(url: string) {
  // The database itself first: a hosted PostgreSQL may not let this user into `postgres`.
  const probe = new pg.Client({ connectionString: url });
  const exists = await probe.connect().then(
    () => true,
    (error: { code?: string }) => {
      if (error.code === "3D000") return false;
      throw error;
    },
  );
  if (exists) return probe.end();
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Applies committed migrations (`prisma migrate deploy`) to the database at `url`, then installs
 * or upgrades graphile-worker's own `graphile_worker` schema (each worker does that too when it
 * starts, so a database migrated by `npx prisma migrate deploy` alone gets it from its first worker).
 */
export async function applyMigrations(url: string) {
  try {
    await run(prismaBin, ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url } });
  } catch (error) {
    const output = `${(error as { stderr?: string }).stderr ?? ""}\n${(error as { stdout?: string }).stdout ?? ""}`;
    const reason =
      output
        .split("\n")
        .find((line) => /^Error|P\d{4}/.test(line.trim()))
        ?.trim() ?? (error as Error).message.split("\n")[0];
    throw new SetupError(
      `Applying the migrations (prisma migrate deploy) failed: ${reason}`,
      "Run `npx prisma migrate deploy` with the same DATABASE_URL to see all of Prisma's output.",
    );
  }
  try {
    await runMigrations({ connectionString: url });
  } catch (error) {
    throw new SetupError(
      `Installing the job queue's schema (graphile-worker) failed: ${(error as Error).message.split("\n")[0]}`,
      "Check that the DATABASE_URL user may create a schema in this database.",
    );
  }
}
