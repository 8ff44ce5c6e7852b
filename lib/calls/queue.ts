import { Logger, parseCrontab, run, type JobHelpers, type Runner, type Task, type TaskList } from "graphile-worker";
import pg from "pg";
import { failureLog } from "@/lib/observability/failure-log";
import { log } from "@/lib/observability/log";
import { RECONCILE, RETENTION } from "./queue-jobs";

/** Retention every 10 minutes: graphile-worker's crontab fires each tick once across all workers. */
const CRONTAB = `*/10 * * * * ${RETENTION} ?max=3`;
/** A failing reconciler waits twice as long each time, up to this, so a Vapi outage is not polled every few seconds. */
const MAX_RECONCILE_BACKOFF_SECONDS = 60;
/**
 * A run queues its successor (taking the key off itself) within milliseconds of being taken, so a
 * keyed reconcile job still locked after this belongs to a worker that died (or hung) in between.
 */
export const RECONCILE_HANDOFF_GRACE_SECONDS = 5;

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
  // Every worker checks the chain every interval, so one that dies mid-handoff stalls it for seconds, not hours.
  const chainCheck = o.work.reconcile ? watchReconcileChain(pool, o.work.reconcile.everySeconds) : undefined;
  const stop = async () => {
    await chainCheck?.stop();
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
    const every = r.everySeconds * 1000;
    // From when this run was due, so polling delays do not add up; a run late by a whole interval
    // (one freed from a dead worker) waits a full interval instead of running again at once.
    const onTime = helpers.job.run_at.getTime() + every;
    await queueReconcile(helpers, new Date(onTime > Date.now() ? onTime : Date.now() + every), 0);
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
 * Makes sure the reconciler's chain has a run pending or running. A run a worker took and never
 * handed on (it died between taking the job and queuing the next) is unlocked with
 * graphile-worker's `force_unlock_workers`, so a live worker takes it up; a keyed job out of
 * attempts is cleared; with no keyed job, the chain starts again. "unsafe_dedupe" adds nothing
 * when a job holds the key, so workers checking at once do not add a second run.
 */
async function ensureReconcileChain(pool: pg.Pool) {
  const { rows } = await pool.query<{ locked_by: string | null; stuck: boolean; spent: boolean }>(
    `SELECT locked_by, locked_at < now() - make_interval(secs => $2) AS stuck,
            locked_at IS NULL AND attempts >= max_attempts AS spent
     FROM graphile_worker.jobs WHERE key = $1`,
    [RECONCILE, RECONCILE_HANDOFF_GRACE_SECONDS],
  );
  const held = rows[0];
  if (held?.stuck) {
    log.warn(
      { worker: held.locked_by, component: "job-queue" },
      "A worker took a reconciler run and never queued the next (it died or hung): unlocking its jobs",
    );
    await pool.query(`SELECT graphile_worker.force_unlock_workers($1::text[])`, [[held.locked_by]]);
    return;
  }
  if (held && !held.spent) return;
  if (held) await pool.query(`SELECT graphile_worker.remove_job($1)`, [RECONCILE]);
  await pool.query(`SELECT graphile_worker.add_job($1, $2::json, job_key := $1, job_key_mode := 'unsafe_dedupe')`, [
    RECONCILE,
    JSON.stringify({ failures: 0 }),
  ]);
}

function watchReconcileChain(pool: pg.Pool, everySeconds: number) {
  const failures = failureLog("reconciler chain check");
  let checking: Promise<void> | undefined;
  const timer = setInterval(() => {
    checking ??= ensureReconcileChain(pool)
      .then(
        () => failures.succeeded(),
        (error) => failures.failed(error),
      )
      .finally(() => (checking = undefined));
  }, everySeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await checking;
    },
  };
}

/** graphile-worker's own messages in our log; a failing task is reported by `logged` instead. */
const queueLogger = new Logger(() => (level, message, meta) => {
  const fields = { component: "job-queue" };
  if (meta?.failure) log.debug(fields, message);
  else if (String(level) === "error") log.error(fields, message);
  else if (String(level) === "warning") log.warn(fields, message);
  else log.debug(fields, message);
});
