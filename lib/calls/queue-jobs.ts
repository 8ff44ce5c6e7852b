import type { Db } from "@/lib/db/client";

/** Task names in graphile-worker's queue (its `graphile_worker` schema), as the dashboard shows them. */
export const RECONCILE = "reconcile";
export const RETENTION = "retention";

export const JOB_STATES = ["waiting", "retrying", "running", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

export type FailingJob = {
  id: string;
  task: string;
  attempts: number;
  maxAttempts: number;
  lastError: string;
  final: boolean;
  nextAttemptAt: Date;
  updatedAt: Date;
};

export type QueueJobs = {
  /** False until a worker (or the migrate step) has installed graphile-worker's schema. */
  installed: boolean;
  /** Jobs per task: waiting to run, waiting after a failure, running, or failed for good. */
  byTask: Record<string, Record<JobState, number>>;
  /** Jobs whose last attempt failed, newest first: those still to be retried, and those given up on in the last day. */
  failing: FailingJob[];
  /** When the reconciler's next run is due, or null when none is queued. */
  nextReconcileAt: Date | null;
};

/** What graphile-worker's queue holds, read from its public `graphile_worker.jobs` view. */
export async function queueJobs(db: Db): Promise<QueueJobs> {
  try {
    const [counts, failing, next] = await Promise.all([
      db.pool.query<{ task: string; state: JobState; count: string }>(
        `SELECT task_identifier AS task,
                CASE WHEN locked_at IS NOT NULL THEN 'running' WHEN attempts >= max_attempts THEN 'failed'
                     WHEN attempts > 0 THEN 'retrying' ELSE 'waiting' END AS state,
                COUNT(*) AS count
         FROM graphile_worker.jobs GROUP BY 1, 2`,
      ),
      db.pool.query<{
        id: string;
        task: string;
        attempts: number;
        max_attempts: number;
        last_error: string;
        run_at: Date;
        updated_at: Date;
      }>(
        `SELECT id, task_identifier AS task, attempts, max_attempts, last_error, run_at, updated_at FROM graphile_worker.jobs
         WHERE last_error IS NOT NULL AND locked_at IS NULL AND (attempts < max_attempts OR updated_at > now() - interval '1 day')
         ORDER BY updated_at DESC LIMIT 20`,
      ),
      db.pool.query<{ run_at: Date }>(`SELECT run_at FROM graphile_worker.jobs WHERE key = $1`, [RECONCILE]),
    ]);
    const byTask: QueueJobs["byTask"] = {};
    for (const row of counts.rows) {
      byTask[row.task] ??= { waiting: 0, retrying: 0, running: 0, failed: 0 };
      byTask[row.task][row.state] = Number(row.count);
    }
    return {
      installed: true,
      byTask,
      failing: failing.rows.map((j) => ({
        id: String(j.id),
        task: j.task,
        attempts: j.attempts,
        maxAttempts: j.max_attempts,
        lastError: j.last_error,
        final: j.attempts >= j.max_attempts,
        nextAttemptAt: j.run_at,
        updatedAt: j.updated_at,
      })),
      nextReconcileAt: next.rows[0]?.run_at ?? null,
    };
  } catch (error) {
    // 3F000: no such schema; 42P01: no such relation. Web instances may start before any worker.
    if (["3F000", "42P01"].includes((error as { code?: string }).code ?? ""))
      return { installed: false, byTask: {}, failing: [], nextReconcileAt: null };
    throw error;
  }
}
