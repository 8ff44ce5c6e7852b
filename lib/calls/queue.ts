import { Logger, parseCrontab, run, type JobHelpers, type Runner, type Task, type TaskList } from "graphile-worker";
import pg from "pg";
import { failureLog } from "@/lib/observability/failure-log";
import { log } from "@/lib/observability/log";
import { RECONCILE, RETENTION } from "./queue-jobs";

/** Retention every 10 minutes: graphile-worker's crontab fires each tick once across all workers. */
const CRONTAB = `*/10 * * * * ${RETENTION} ?max=3`;
/** A failing reconciler waits twice as long each time, up to this, so a Vapi outage is not polled every few seconds. */
const MAX_RECONCILE_BACKOFF_SECONDS = 60;
/** A keyed reconcile job locked this long belongs to a worker that died before queuing the next run. */
const STALE_LOCK = "1 minute";

export type QueueWork = {
  /** Runs every `everySeconds`, once across all workers; absent without a Vapi private key. */
  reconcile?: { everySeconds: number; run: () => Promise<unknown>; outcome?: (ok: boolean) => void };
  retention: () => Promise<unknown>;
};

export type QueueOptions = {
  connectionString: string;
  work: QueueWork;
  pollIntervalMs?: number;
  /** Tasks run beside the app's own (scripts/bench-queue-lateness.ts times one). */
  extraTasks?: TaskList;
};

export type Queue = { runner: Runner; stop: () => Promise<void> };

/**
 * Starts a graphile-worker runner for the periodic background work: it installs or upgrades the
 * `graphile_worker` schema, takes jobs as they fall due (several runners on one database share
 * them, each job runs once), and makes sure the reconciler's chain of runs exists.
 */
export async function startQueue(o: QueueOptions): Promise<Queue> {
  // Its own small pool: a runner keeps one connection LISTENing, and the webhook's pool stays free.
  const pool = new pg.Pool({
    connectionString: o.connectionString,
    max: 4,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  const lost = (error: Error) => log.warn({ err: error }, "A job queue connection failed");
  pool.on("error", lost);
  pool.on("connect", (client) => client.on("error", lost));
  let runner: Runner | undefined;
  try {
    runner = await run({
      pgPool: pool,
      concurrency: 2,
      pollInterval: o.pollIntervalMs ?? 1000,
      noHandleSignals: true, // the process decides when to stop (stopOnSignals in lib/calls/scheduler.ts)
      logger: queueLogger,
      taskList: { ...tasks(o.work), ...o.extraTasks },
      parsedCronItems: parseCrontab(CRONTAB),
    });
    if (o.work.reconcile) await ensureReconcileChain(pool);
  } catch (error) {
    await runner?.stop().catch(() => {});
    await pool.end();
    throw error;
  }
  const started = runner;
  const stop = async () => {
    try {
      await started.stop();
    } finally {
      await pool.end();
    }
  };
  return { runner: started, stop };
}

function tasks(work: QueueWork) {
  const list: Record<string, Task> = { [RETENTION]: logged("retention", work.retention) };
  if (work.reconcile) list[RECONCILE] = reconcileTask(work.reconcile);
  return list;
}

/** A task whose failures are logged once per streak (graphile-worker keeps each job's last error). */
function logged(name: string, work: () => Promise<unknown>, outcome?: (ok: boolean) => void): Task {
  const failures = failureLog(name);
  return async () => {
    try {
      await work();
    } catch (error) {
      failures.failed(error);
      outcome?.(false);
      throw error;
    }
    failures.succeeded();
    outcome?.(true);
  };
}

/**
 * One run of the reconciler, which queues the next. Every reconcile job is added under the key
 * RECONCILE, and graphile-worker keeps one job per key: however many workers run, one run is
 * pending. The next run is queued before this one works, so a worker that dies mid-run cannot end
 * the chain; queuing it takes the key off this running job, whose own failure is then final (it
 * is not retried: the next run is). A failure pushes the next run back, doubling each time.
 */
function reconcileTask(r: NonNullable<QueueWork["reconcile"]>): Task {
  const work = logged("reconciler", r.run, r.outcome);
  return async (payload, helpers) => {
    const failures = (payload as { failures?: number } | null)?.failures ?? 0;
    // From when this run was due, not when it started, so polling delays do not add up.
    const due = Math.max(helpers.job.run_at.getTime() + r.everySeconds * 1000, Date.now());
    await queueReconcile(helpers, new Date(due), 0);
    try {
      await work(payload, helpers);
    } catch (error) {
      const wait = Math.min(r.everySeconds * 2 ** (failures + 1), MAX_RECONCILE_BACKOFF_SECONDS);
      await queueReconcile(helpers, new Date(Date.now() + wait * 1000), failures + 1);
      throw error;
    }
  };
}

const queueReconcile = (helpers: JobHelpers, runAt: Date, failures: number) =>
  helpers.addJob(RECONCILE, { failures }, { jobKey: RECONCILE, jobKeyMode: "replace", runAt });

/**
 * Starts the reconciler's chain unless a run is already pending or running. "unsafe_dedupe" adds
 * nothing when a job holds the key, so a worker starting while another runs the reconciler does
 * not add a second run; a keyed job no run will ever take up (locked by a dead worker, or out of
 * attempts) is cleared first.
 */
async function ensureReconcileChain(pool: pg.Pool) {
  await pool.query(
    `SELECT graphile_worker.remove_job(key) FROM graphile_worker.jobs
     WHERE key = $1 AND (locked_at < now() - interval '${STALE_LOCK}' OR (locked_at IS NULL AND attempts >= max_attempts))`,
    [RECONCILE],
  );
  await pool.query(`SELECT graphile_worker.add_job($1, $2::json, job_key := $1, job_key_mode := 'unsafe_dedupe')`, [
    RECONCILE,
    JSON.stringify({ failures: 0 }),
  ]);
}

/** graphile-worker's own messages in our log; a failing task is reported by `logged` instead. */
const queueLogger = new Logger(() => (level, message, meta) => {
  const fields = { component: "job-queue" };
  if (meta?.failure) log.debug(fields, message);
  else if (String(level) === "error") log.error(fields, message);
  else if (String(level) === "warning") log.warn(fields, message);
  else log.debug(fields, message);
});
