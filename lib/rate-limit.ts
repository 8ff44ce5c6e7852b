import { utc, type Db } from "@/lib/db/client";

export type RateLimitResult = { allowed: boolean; retryAfterSeconds: number };
/** One counted hit: which window it went to, so it can be taken back. */
export type RateLimitHit = RateLimitResult & { key: string; windowStart: Date };

/**
 * Fixed-window counter kept in PostgreSQL, so every server process shares it. One upsert per hit.
 */
export async function hitRateLimit(
  db: Db,
  key: string,
  limit: number,
  windowSeconds: number,
  now = new Date(),
): Promise<RateLimitHit> {
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const {
    rows: [row],
  } = await db.pool.query<{ count: number }>(
    `INSERT INTO "RateLimitWindow" ("key", "windowStart", "count") VALUES ($1, $2, 1)
     ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
     RETURNING "count"`,
    [key, utc(windowStart)],
  );
  const retryAfterSeconds = Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000);
  return { allowed: row.count <= limit, retryAfterSeconds, key, windowStart };
}

/** Takes one hit back: the attempt it counted turned out not to be one the limit is about. */
export async function refundRateLimit(db: Db, hit: Pick<RateLimitHit, "key" | "windowStart">): Promise<void> {
  await db.pool.query(
    `UPDATE "RateLimitWindow" SET "count" = "count" - 1 WHERE "key" = $1 AND "windowStart" = $2 AND "count" > 0`,
    [hit.key, utc(hit.windowStart)],
  );
}

/** Forgets every window of `key`. */
export async function resetRateLimit(db: Db, key: string): Promise<void> {
  await db.pool.query(`DELETE FROM "RateLimitWindow" WHERE "key" = $1`, [key]);
}
