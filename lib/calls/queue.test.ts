import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { anOperator } from "@/test/dashboard-fixtures";
import { freshDb } from "@/test/db";
import type { Db } from "@/lib/db/client";
import { hitRateLimit } from "@/lib/rate-limit";
import { enforceRetention } from "@/lib/retention";
import { RECONCILE_HANDOFF_GRACE_SECONDS, startQueue, type Queue, type QueueWork } from "./queue";
import { backgroundWork } from "@/lib/dashboard/background";
import { RETENTION } from "./queue-jobs";

let db: Db;
let url: string;
beforeAll(async () => {
  ({ db, url } = await freshDb());
});

const started: Queue[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((q) => q.stop()));
  await db.pool.query("DELETE FROM graphile_worker._private_jobs");
});

const start = async (work: QueueWork) => {
  const queue = await startQueue({ connectionString: url, work, pollIntervalMs: 100 });
  started.push(queue);
  return queue;
};
const queueJobs = async (db: Db) => (await backgroundWork(db, anOperator)).queue;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (ok: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  for (const t0 = Date.now(); !(await ok());) {
    if (Date.now() - t0 > timeoutMs) throw new Error("timed out");
    await sleep(50);
  }
};

describe("the job queue", () => {
  it("runs the reconciler once per interval across two workers, not once per worker", async () => {
    const runs: number[] = [];
    const work = (): QueueWork => ({
      reconcile: { everySeconds: 1, run: async () => void runs.push(Date.now()) },
      retention: async () => {},
    });
    const t0 = Date.now();
    await Promise.all([start(work()), start(work())]);
    await sleep(4_500 - (Date.now() - t0));
    // Due at 0, 1, 2, 3 and 4 s after the first worker started: one chain of runs gives at most
    // five in these 4.5 s (a late run is not made up twice), one chain per worker about ten.
    const inWindow = runs.filter((t) => t < t0 + 4_500);
    expect(inWindow.length).toBeGreaterThanOrEqual(3);
    expect(inWindow.length).toBeLessThanOrEqual(5);
    const gaps = runs.slice(1).map((t, i) => t - runs[i]);
    expect(Math.min(...gaps)).toBeGreaterThan(200);
  });

  it("retries a failing job with growing waits, and the background view shows its last error", async () => {
    const attempts: number[] = [];
    const queue = await start({
      retention: async () => {
        attempts.push(Date.now());
        throw new Error("disk full");
      },
    });
    await queue.runner.addJob(RETENTION, {});
    await until(() => attempts.length === 1);
    await until(async () => (await queueJobs(db)).failing.length === 1);
    const first = (await queueJobs(db)).failing[0];
    expect(first).toMatchObject({ task: RETENTION, attempts: 1, lastError: expect.stringContaining("disk full") });
    expect((await queueJobs(db)).byTask[RETENTION]).toMatchObject({ retrying: 1 });
    await until(() => attempts.length === 2);
    await until(async () => (await queueJobs(db)).failing[0]?.attempts === 2);
    const second = (await queueJobs(db)).failing[0];
    // graphile-worker waits e^attempts seconds: about 2.7 s after the first failure, 7.4 s after the second.
    expect(attempts[1] - attempts[0]).toBeGreaterThan(2_000);
    expect(second.nextAttemptAt.getTime() - attempts[1]).toBeGreaterThan(attempts[1] - attempts[0]);
  });

  it("runs retention as a job", async () => {
    await hitRateLimit(db, "old", 5, 60, new Date(Date.now() - 8 * 86_400_000));
    const queue = await start({ retention: () => enforceRetention(db) });
    await queue.runner.addJob(RETENTION, {});
    await until(async () => (await db.rateLimitWindow.count()) === 0);
  });

  it("backs the reconciler off while it fails, and shows why", async () => {
    let runs = 0;
    await start({
      reconcile: {
        everySeconds: 5,
        run: async () => {
          runs++;
          throw new Error("Vapi answered 503");
        },
      },
      retention: async () => {},
    });
    await until(() => runs === 1);
    await until(async () => (await queueJobs(db)).failing.length === 1);
    const jobs = await queueJobs(db);
    expect(jobs.failing[0]).toMatchObject({
      task: "reconcile",
      lastError: expect.stringContaining("Vapi answered 503"),
    });
    expect(jobs.byTask.reconcile).toMatchObject({ failed: 1, waiting: 1 });
    // The next run waits twice the interval after the failure.
    expect(jobs.nextReconcileAt!.getTime() - jobs.failing[0].updatedAt.getTime()).toBeGreaterThan(9_000);
  });

  it("a starting worker leaves a queued reconciler run alone, and clears one a dead worker left locked", async () => {
    const keyed = (runAt: string) =>
      db.pool.query(
        `SELECT id FROM graphile_worker.add_job('reconcile', '{}', run_at := now() + $1::interval, job_key := 'reconcile')`,
        [runAt],
      );
    let runs = 0;
    const work = (): QueueWork => ({
      reconcile: { everySeconds: 1, run: async () => void runs++ },
      retention: async () => {},
    });
    await keyed("1 hour");
    const queue = await start(work());
    await sleep(1_000);
    expect(runs).toBe(0);
    expect((await backgroundWork(db, anOperator)).reconcilerNextRunInSeconds).toBeGreaterThan(3_000);
    await queue.stop();
    started.splice(0);
    // A worker took the run and died before queuing the next one.
    await db.pool.query(
      `UPDATE graphile_worker._private_jobs SET locked_at = now() - interval '2 minutes', locked_by = 'dead', run_at = now()`,
    );
    await start(work());
    await until(() => runs > 0);
  });

  it("a run whose worker died between taking it and queuing the next is freed within seconds, while the others run", async () => {
    const runs: number[] = [];
    await start({
      reconcile: { everySeconds: 1, run: async () => void runs.push(Date.now()) },
      retention: async () => {},
    });
    await until(() => runs.length > 0);
    // The pending run, taken by a worker that then died: locked, and still holding the key.
    await until(
      async () =>
        (
          await db.pool.query(
            `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'pool-dead', run_at = now()
             WHERE key = 'reconcile' AND locked_at IS NULL`,
          )
        ).rowCount === 1,
    );
    const diedAt = Date.now();
    await sleep((RECONCILE_HANDOFF_GRACE_SECONDS - 1) * 1000);
    // Within the grace it may be a live worker about to hand on: left alone.
    expect(runs.filter((t) => t > diedAt + 100)).toEqual([]);
    await until(() => runs.some((t) => t > diedAt), (RECONCILE_HANDOFF_GRACE_SECONDS + 3) * 1000);
    const resumedAfter = runs.find((t) => t > diedAt)! - diedAt;
    expect(resumedAfter).toBeLessThan((RECONCILE_HANDOFF_GRACE_SECONDS + 2.5) * 1000);
    // And the chain goes on once per interval, not twice.
    const from = Date.now();
    await sleep(3_500);
    const after = runs.filter((t) => t >= from);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(after.length).toBeLessThanOrEqual(4);
    const locked = await db.pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE locked_by = 'pool-dead'`);
    expect(locked.rowCount).toBe(0);
  }, 30_000);
});
