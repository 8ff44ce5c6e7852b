import { utc, type Db } from "@/lib/db/client";

/** The longest window any limit counts over is a day; the dashboard's rejection totals reach back a week. */
export const RATE_LIMIT_RETENTION_DAYS = 7;
/** COACH_WEBHOOK_RETENTION_DAYS (default 30): how long a webhook message keeps its payload. */
export const webhookRetentionDays = () => Number(process.env.COACH_WEBHOOK_RETENTION_DAYS ?? 30);
const BATCH = 1_000;

const daysBefore = (now: Date, days: number) => utc(new Date(now.getTime() - days * 86_400_000));

/** Deletes rate-limit windows past any limit's reach, a batch at a time; returns how many went. */
export async function pruneRateLimitWindows(db: Db, now = new Date()): Promise<number> {
  const { rowCount } = await db.pool.query(
    `DELETE FROM "RateLimitWindow" WHERE ctid IN (SELECT ctid FROM "RateLimitWindow" WHERE "windowStart" < $1::timestamp LIMIT ${BATCH})`,
    [daysBefore(now, RATE_LIMIT_RETENTION_DAYS)],
  );
  return rowCount ?? 0;
}

/**
 * Reduces webhook messages older than the retention to their metadata (type, call, status,
 * outcome, times): the payload, with whatever personal data the masking missed, goes. A message
 * not processed yet keeps it, since its retry may still need the row.
 */
export async function pruneWebhookPayloads(db: Db, now = new Date(), days = webhookRetentionDays()): Promise<number> {
  const { rowCount } = await db.pool.query(
    `UPDATE "WebhookEvent" SET "payload" = '{"pruned":true}'::jsonb
     WHERE "id" IN (SELECT "id" FROM "WebhookEvent" WHERE "receivedAt" < $1::timestamp AND "processedAt" IS NOT NULL
                      AND "payload" <> '{"pruned":true}'::jsonb ORDER BY "receivedAt" LIMIT ${BATCH})`,
    [daysBefore(now, days)],
  );
  return rowCount ?? 0;
}

/** How long a job the queue gave up on stays visible (graphile-worker keeps such jobs forever). */
export const FAILED_JOB_RETENTION_DAYS = 7;

/** Deletes queue jobs out of attempts whose last failure is older than FAILED_JOB_RETENTION_DAYS, through graphile-worker's own `complete_jobs`. */
export async function pruneFailedJobs(db: Db, now = new Date()): Promise<number> {
  const { rows } = await db.pool.query<{ count: string }>(
    `SELECT COUNT(*) AS count FROM graphile_worker.complete_jobs(ARRAY(
       SELECT id FROM graphile_worker.jobs WHERE attempts >= max_attempts AND locked_at IS NULL AND updated_at < $1::timestamptz LIMIT ${BATCH}))`,
    [new Date(now.getTime() - FAILED_JOB_RETENTION_DAYS * 86_400_000).toISOString()],
  );
  return Number(rows[0].count);
}

/** All of them, until nothing is left to do (a batch at a time, so no statement holds locks for long). */
export async function enforceRetention(db: Db, now = new Date()) {
  let windows = 0;
  let payloads = 0;
  let failedJobs = 0;
  for (let n; (n = await pruneRateLimitWindows(db, now)) > 0;) windows += n;
  for (let n; (n = await pruneWebhookPayloads(db, now)) > 0;) payloads += n;
  for (let n; (n = await pruneFailedJobs(db, now)) > 0;) failedJobs += n;
  return { windows, payloads, failedJobs };
}
