import { utc, type Db } from "@/lib/db/client";

export type RateLimitResult = { allowed: boolean; retryAfterSeconds: number };

/**
 * Fixed-window counter kept in PostgreSQL, so every server process shares it. One upsert per hit.
 */
export async function hitRateLimit(db: Db, key: string, limit: number, windowSeconds: number, now = new Date()): Promise<RateLimitResult> {
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const { rows: [row] } = await db.pool.query<{ count: number }>(
    `INSERT INTO "RateLimitWindow" ("key", "windowStart", "count") VALUES ($1, $2, 1)
     ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
     RETURNING "count"`,
    [key, utc(windowStart)],
  );
  const retryAfterSeconds = Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000);
  return { allowed: row.count <= limit, retryAfterSeconds };
}
