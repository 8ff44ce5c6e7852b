// `npm run bench:capacity` (issue 12, "Capacity"): how many concurrent calls this machine carries.
// Steps of 10, 100, 500 and 1,000 emulated calls at once (`-- --steps 10,100` for fewer), each
// sending a conversation update every 2 s and cut off by the app inside the run, beside a few calls
// with no start token; then the top step again on two app instances (`--no-compare` skips it);
// `--worker` runs the background work in a worker process, the app instances without it. The
// emulator runs in a process of its own, on the same cores. Prints; asserts nothing. Needs `npm run build`.
import os from "node:os";
import { createDb, type Db } from "@/lib/db/client";
import { startCall, type CallStart } from "@/lib/calls/start-call";
import { RESERVATION_EXPIRES_AFTER_SECONDS } from "@/lib/calls/timing";
import { appConfig } from "@/lib/config";
import { grant } from "@/lib/credits/ledger";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { e2eEnv } from "@/e2e/support/env";
import { cpuMsByProcess, cpuSince } from "./process-cpu";
import { fmt, pct, startBenchStack, type BenchStack, type CallDetails } from "./bench-support";

const argValue = (name: string) => {
  const i = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return i < 0 ? undefined : process.argv[i].includes("=") ? process.argv[i].split("=")[1] : process.argv[i + 1];
};
const STEPS = (argValue("steps") ?? "10,100,500,1000").split(",").map(Number);
const COMPARE = !process.argv.includes("--no-compare");
/** `--worker`: the background work (the enforcer's cutoffs among it) in a process of its own, as deployed. */
const WORKER = process.argv.includes("--worker");
const TOP = Math.max(...STEPS);

const UPDATE_EVERY_MS = 2_000;
const LINE = "Mm-hm, go on.";
const CHARS_PER_SECOND = 15;
/** Each paid call is cut off this many seconds into it, plus 0–10 s, so cutoffs spread over 10 s. */
const PAID_SECONDS = 25;
const SERVER_MESSAGES = ["conversation-update", "status-update", "end-of-call-report", "tool-calls", "hang"];

// One scripted line, spoken and then a pause, every 2 s: a conversation update each time.
const emulator = {
  concurrencyLimit: 2 * TOP + 100, // raised for this run: Vapi's default (10) would refuse the steps
  partialTranscripts: false,
  speechCharsPerSecond: CHARS_PER_SECOND,
  conversation: [
    {
      role: "user" as const,
      text: LINE,
      pauseMs: UPDATE_EVERY_MS - Math.round((LINE.length / CHARS_PER_SECOND) * 1000),
    },
  ],
  assistants: [{ id: e2eEnv.VAPI_ASSISTANT_ID, firstMessage: "", serverMessages: SERVER_MESSAGES }],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s`;

/** `fn` over `items`, `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

console.log(
  `Capacity: steps ${STEPS.join(", ")} concurrent calls; each sends ${SERVER_MESSAGES.join(", ")}, a conversation update every ${UPDATE_EVERY_MS / 1000} s; ` +
    `paid calls are cut off ${PAID_SECONDS}–${PAID_SECONDS + 10} s in; ${os.cpus().length} cores, the emulator in a process of its own.`,
);
// The emulator in a process of its own: its CPU is counted apart from the bench's, and the load
// generator and the bench's own queries cannot hold up its event loop.
let bench = await startBenchStack({ emulator, emulatorProcess: true, worker: WORKER });
try {
  for (const n of STEPS) await step(bench, n, "1 instance");
  if (COMPARE) {
    await bench.stack.stop();
    bench = await startBenchStack({
      instances: 2,
      worker: WORKER,
      emulator,
      emulatorProcess: true,
    });
    await step(bench, TOP, "2 instances (on 2 cores: the overhead of a second process, not a speed-up)");
  }
} finally {
  await bench.stack.stop();
}

/** Reservations and start overrides for `n` paid calls, made the way the coach page makes them. */
async function reserve(b: BenchStack, db: Db, n: number): Promise<CallStart["assistantOverrides"][]> {
  const config = appConfig(b.env);
  const pricing = pricingFromEnv(b.env);
  const t0 = performance.now();
  let done = 0;
  return pool(Array.from({ length: n }), 16, async (_, i) => {
    const user = await db.user.create({ data: { email: `cap-${i}-${Date.now()}@coach.test`, passwordHash: "x" } });
    await grant(db, {
      userId: user.id,
      credits: PAID_SECONDS + (i % 11),
      actor: "bench",
      reason: "bench",
      idempotencyKey: `cap:${user.id}`,
    });
    const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
    if (++done % 250 === 0 || done === n) console.log(`  ${since(t0)}: ${done}/${n} reservations made`);
    return start.assistantOverrides;
  }).finally(() => {
    if (performance.now() - t0 > (RESERVATION_EXPIRES_AFTER_SECONDS - 30) * 1000)
      console.log(
        `  (slow: start tokens expire ${RESERVATION_EXPIRES_AFTER_SECONDS} s after they are made, so some calls may be refused)`,
      );
  });
}

/** The app's own histogram of webhook answer times, summed over its instances: bucket bound → count. */
async function webhookHistogram(b: BenchStack): Promise<Map<number, number>> {
  const buckets = new Map<number, number>();
  for (const url of b.stack.appUrls) {
    const text = await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${b.env.METRICS_TOKEN}` } })
      .then((r) => r.text())
      .catch(() => "");
    for (const m of text.matchAll(/^coach_webhook_duration_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/gm)) {
      const le = m[1] === "+Inf" ? Infinity : Number(m[1]);
      buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
    }
  }
  return buckets;
}

/** The bucket bound under which 99% of the answers fell between two readings. */
function histogramP99(before: Map<number, number>, after: Map<number, number>): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = delta(Infinity);
  if (!total) return "n/a";
  const bound = bounds.find((le) => delta(le) >= 0.99 * total) ?? Infinity;
  return bound === Infinity ? "> 2.5 s" : `≤ ${bound * 1000} ms`;
}

/** Deadlocks PostgreSQL has resolved in this database so far. */
async function deadlocks(db: Db): Promise<number> {
  const { rows } = await db.pool.query<{ deadlocks: string }>(
    `SELECT "deadlocks" FROM pg_stat_database WHERE "datname" = current_database()`,
  );
  return Number(rows[0].deadlocks);
}

async function step(b: BenchStack, n: number, label: string) {
  console.log(`\n${n} concurrent calls, ${label}`);
  const db = createDb(b.stack.databaseUrl);
  try {
    const overrides = await reserve(b, db, n);
    const unauthorizedCount = Math.max(2, Math.round(n / 20));
    // Launched over up to 10 s (100 a second at most), so the app sees arrivals rather than one burst.
    const rampMs = Math.min(10_000, Math.max(2_000, n * 10));
    const labels = b.stack.processes();
    const cpuBefore = cpuMsByProcess(labels);
    const histogramBefore = await webhookHistogram(b);
    const deadlocksBefore = await deadlocks(db);
    const t0 = performance.now();
    const paid: string[] = [];
    const unauthorized: string[] = [];
    const failedStarts = new Map<string, number>();
    const attack = async (body: object, into: string[]) => {
      // The emulator's answer whole when it holds no call (Vapi's refusal, or the emulator's own error).
      const why = await b
        .admin<{ call?: { id: string } }>("POST", "/attack", body)
        .then((r) => (r.call ? void into.push(r.call.id) : JSON.stringify(r).slice(0, 200)))
        .catch((e: unknown) => `no answer: ${String(e)}`);
      if (why) failedStarts.set(why, (failedStarts.get(why) ?? 0) + 1);
    };
    const started = new Date();
    const progress = async () => {
      const counts = await db.call.groupBy({ by: ["status"], _count: true, where: { createdAt: { gte: started } } });
      const byStatus = counts.map((c) => `${c._count} ${c.status.toLowerCase()}`).join(", ");
      console.log(`  ${since(t0)}: ${paid.length + unauthorized.length} started; calls ${byStatus || "none yet"}`);
    };
    const ticker = setInterval(() => void progress().catch(() => {}), 5_000);
    await Promise.all([
      ...overrides.map((o, i) => sleep((i * rampMs) / n).then(() => attack({ overrides: o }, paid))),
      ...Array.from({ length: unauthorizedCount }, (_, i) =>
        sleep(((i + 0.5) * rampMs) / unauthorizedCount).then(() => attack({}, unauthorized)),
      ),
    ]);
    // Everything has ended and been billed, or given up on after the last cutoff plus a minute.
    const deadline = performance.now() + rampMs + (PAID_SECONDS + 10 + 60) * 1000;
    while (performance.now() < deadline) {
      const settled = await db.call.count({ where: { vapiCallId: { in: paid }, status: "SETTLED" } });
      const refused = await db.call.count({ where: { vapiCallId: { in: unauthorized }, endedAt: { not: null } } });
      if (settled === paid.length && refused === unauthorized.length) break;
      await sleep(500);
    }
    clearInterval(ticker);
    const wallMs = performance.now() - t0;
    const cpu = cpuSince(cpuBefore, cpuMsByProcess(labels));
    const histogramAfter = await webhookHistogram(b);
    const deadlocksDuring = (await deadlocks(db)) - deadlocksBefore;

    console.log(`  ${since(t0)}: collecting…`);
    const lateness: number[] = [];
    const unauthorizedEnd: number[] = [];
    const webhook: number[] = [];
    let failedDeliveries = 0;
    let delivered = 0;
    const details = await pool([...paid, ...unauthorized], 8, (id) =>
      b.admin<CallDetails>("GET", `/calls/${id}`).then((d) => ({ id, d })),
    );
    const rows = new Map(
      (
        await db.call.findMany({ where: { vapiCallId: { in: paid } }, select: { vapiCallId: true, cutoffAt: true } })
      ).map((r) => [r.vapiCallId, r.cutoffAt]),
    );
    for (const { id, d } of details) {
      for (const x of d.deliveries) {
        if (x.outcome === "delivered") {
          delivered++;
          webhook.push(x.durationMs);
        } else failedDeliveries++;
      }
      if (unauthorized.includes(id)) {
        if (d.call.endedAt && d.call.startedAt)
          unauthorizedEnd.push(Date.parse(d.call.endedAt) - Date.parse(d.call.startedAt));
        continue;
      }
      const cutoffAt = rows.get(id);
      const endCall = d.controlLog.find((c) => c.source === "control-url" && c.body.type === "end-call");
      const endedAt = endCall?.at ?? d.call.endedAt;
      if (cutoffAt && endedAt) lateness.push(Date.parse(endedAt) - cutoffAt.getTime());
    }
    const recorded = await db.webhookEvent.count({ where: { vapiCallId: { in: [...paid, ...unauthorized] } } });
    const settled = await db.call.count({ where: { vapiCallId: { in: paid }, status: "SETTLED" } });
    const maxDuration = details.filter(({ d }) => d.call.endedReason === "exceeded-max-duration").length;

    console.log(
      `  calls: ${paid.length} paid, ${unauthorized.length} without a start token, ${[...failedStarts.values()].reduce((a, c) => a + c, 0)} failed to start`,
    );
    for (const [why, count] of failedStarts) console.log(`    ${count} × ${why}`);
    console.log(
      `  cutoff lateness (end-call at Vapi − cutoffAt): ${fmt(lateness)}; ended by Vapi's max duration instead: ${maxDuration}`,
    );
    console.log(
      `  unauthorized call, start → end (a spoken notice, then end-call 1.5 s later by design): p99 ${unauthorizedEnd.length ? pct(unauthorizedEnd, 99).toFixed(0) : "-"} ms (n=${unauthorizedEnd.length})`,
    );
    console.log(
      `  webhook, round trip at the emulator: ${fmt(webhook)}; in the app (histogram): p99 ${histogramP99(histogramBefore, histogramAfter)}`,
    );
    console.log(
      // A delivery the emulator gave up on (its timeout) may still have been recorded by the app: lost is what never was.
      `  lost messages: ${Math.max(0, delivered + failedDeliveries - recorded)} of ${delivered + failedDeliveries} sent never recorded (${failedDeliveries} deliveries failed at the emulator: timed out or refused); paid calls settled: ${settled}/${paid.length}; deadlocks (each a 1 s stall, then the statement's rows one by one): ${deadlocksDuring}`,
    );
    console.log(
      `  CPU over ${(wallMs / 1000).toFixed(0)} s, % of one core: ${[...cpu]
        .sort((x, y) => y[1] - x[1])
        .map(([k, ms]) => `${k} ${((ms / wallMs) * 100).toFixed(0)}%`)
        .join(", ")}`,
    );
  } finally {
    await db.$disconnect();
    // The next step starts from an empty emulator (its logs and calls): everything here is settled or given up on.
    await b.admin("POST", "/reset");
  }
}
