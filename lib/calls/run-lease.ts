import { utc, type Db } from "@/lib/db/client";

/**
 * Claims this interval's run of `name` for `holder`: true for exactly one claimant per interval,
 * however many processes ask. A holder that dies simply lets the lease run out.
 */
export async function claimRun(db: Db, name: string, holder: string, everySeconds: number, now = new Date()): Promise<boolean> {
  // A little short of the interval, so the next tick of the same process is not just too early.
  const until = new Date(now.getTime() + everySeconds * 900);
  const { rowCount } = await db.pool.query(
    `INSERT INTO "RunLease" ("name", "leaseUntil", "holder") VALUES ($1, $2::timestamp, $3)
     ON CONFLICT ("name") DO UPDATE SET "leaseUntil" = EXCLUDED."leaseUntil", "holder" = EXCLUDED."holder"
     WHERE "RunLease"."leaseUntil" <= $4::timestamp`,
    [name, utc(until), holder, utc(now)],
  );
  return rowCount === 1;
}
