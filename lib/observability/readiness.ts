import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/lib/db/client";

/** Background work beats every 5 s: three missed beats and it is taken for stalled. */
const HEARTBEAT_STALE_SECONDS = 15;
/** The reconciler reads every 5 s by default; a minute without a read is a problem (as the dashboard says too). */
const RECONCILER_STALE_SECONDS = 60;

export type Readiness = { ready: boolean; reasons: string[] };

/**
 * Whether this instance should take traffic: the database answers, every migration in
 * prisma/migrations is applied, some process runs the background work, and (with a private key)
 * the reconciler has read Vapi's calls recently.
 */
export async function checkReadiness(
  db: Db,
  o: { reconcilerExpected: boolean; migrationsDir?: string; now?: Date },
): Promise<Readiness> {
  const now = o.now ?? new Date();
  try {
    await db.pool.query({ text: "SELECT 1", query_timeout: 2_000 } as never);
  } catch (error) {
    return {
      ready: false,
      reasons: [`the database does not answer (${error instanceof Error ? error.message : String(error)})`],
    };
  }
  const reasons: string[] = [];
  const missing = await unappliedMigrations(db, o.migrationsDir ?? path.join(process.cwd(), "prisma", "migrations"));
  if (missing === null) reasons.push("no migrations are applied (run `npx prisma migrate deploy`)");
  else if (missing.length)
    reasons.push(`migrations not applied: ${missing.join(", ")} (run \`npx prisma migrate deploy\`)`);
  const beat = await db.workerHeartbeat
    .findFirst({ orderBy: { beatAt: "desc" }, select: { beatAt: true } })
    .catch(() => null);
  if (!beat || now.getTime() - beat.beatAt.getTime() > HEARTBEAT_STALE_SECONDS * 1000) {
    reasons.push(`no background worker has reported in the last ${HEARTBEAT_STALE_SECONDS} s`);
  }
  if (o.reconcilerExpected) {
    const read = await db.reconcilerCursor
      .findFirst({ orderBy: { checkedAt: "desc" }, select: { checkedAt: true } })
      .catch(() => null);
    if (!read || now.getTime() - read.checkedAt.getTime() > RECONCILER_STALE_SECONDS * 1000) {
      reasons.push(`the reconciler has not read Vapi's calls in the last ${RECONCILER_STALE_SECONDS} s`);
    }
  }
  return { ready: reasons.length === 0, reasons };
}

/** Migration folders not recorded as applied; null when the migrations table itself is missing. */
async function unappliedMigrations(db: Db, dir: string): Promise<string[] | null> {
  const expected = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    : [];
  try {
    const { rows } = await db.pool.query<{ name: string }>(
      `SELECT "migration_name" AS name FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    );
    const applied = new Set(rows.map((r) => r.name));
    return expected.filter((name) => !applied.has(name)).sort();
  } catch {
    return null;
  }
}
