// `npm run bench:queue-lateness` (issue 12): how late a cutoff would run as a graphile-worker job
// instead of the enforcer loop's deadline columns. The app's runner (lib/calls/queue.ts, same
// pool, concurrency, pollInterval and tasks) on embedded PostgreSQL, plus a `bench_cutoff` task
// that records when it ran against the run_at it was added with. Prints; asserts nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations, ensureDatabase } from "@/lib/db/migrate";
import { startQueue } from "@/lib/calls/queue";
import { TICK_MS } from "@/lib/calls/scheduler";
import { log } from "@/lib/observability/log";
import { pct } from "./bench-support";

log.level = process.env.LOG_LEVEL ?? "silent"; // the pool's warnings when PostgreSQL stops at the end
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "coach-bench-queue-pg-"));
const server = await startEmbeddedPostgres({ dataDir, persistent: false });
const url = server.url("coach_bench_queue");
await ensureDatabase(url);
await applyMigrations(url);
const lateness: number[] = [];
const queue = await startQueue({
  connectionString: url,
  // As in production with a Vapi key: a reconcile job every 5 s and retention on its crontab (no-ops here).
  work: { retention: async () => {}, reconcile: { everySeconds: 5, run: async () => {} } },
  extraTasks: { bench_cutoff: async (p) => void lateness.push(Date.now() - (p as { runAt: number }).runAt) },
});
let n = 0;
/** Adds cutoff jobs due at `dueAts` (epoch ms) the way the app adds keyed jobs, then waits for them. */
async function measure(label: string, dueAts: number[]) {
  lateness.length = 0;
  for (const runAt of dueAts)
    await queue.runner.addJob("bench_cutoff", { runAt }, { runAt: new Date(runAt), jobKey: `cutoff:${++n}` });
  while (lateness.length < dueAts.length && Date.now() < Math.max(...dueAts) + 10_000) await sleep(100);
  const s = (p: number) => `${pct(lateness, p).toFixed(0)} ms`;
  const got = `${lateness.length}/${dueAts.length}`;
  console.log(`${label.padEnd(44)} p50 ${s(50)}, p99 ${s(99)}, max ${s(100)} (n=${got})`);
}
try {
  const at = Date.now() + 1000;
  await measure(
    "graphile-worker, 300 jobs over 15 s:",
    [...Array(300)].map((_, i) => at + (i * 15_000) / 300),
  );
  const burst = Math.ceil(Date.now() / 1000) * 1000 + 2000;
  await measure("graphile-worker, burst of 100 due at once:", Array<number>(100).fill(burst));
  console.log(`${"enforcer loop (deadline columns), bound:".padEnd(44)} ≤ ${TICK_MS} ms + one pass (interval)`);
} finally {
  await queue.stop();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
