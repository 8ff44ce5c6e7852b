import { randomUUID } from "node:crypto";
import os from "node:os";
import { databaseUrl, db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { enforceOnce } from "./enforcer";
import { retryUnprocessedMessages } from "./process-message";
import { reconcileOnce } from "./reconciler";
import { checkNewCallsForTampering } from "./tamper";
import { vapiRestFor } from "./vapi-rest";
import { failureLog } from "@/lib/observability/failure-log";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { enforceRetention } from "@/lib/retention";
import { startQueue, type Queue } from "./queue";

export const TICK_MS = 250;
const RETRY_TICK_MS = 1000;
/** Enforcer passes under way at once: each claims its own due work (lib/calls/enforcer.ts). */
const ENFORCER_PASSES_AT_ONCE = 4;
const QUEUE_RESTART_MS = 10_000;
export const HEARTBEAT_SECONDS = 5;

/**
 * Calls `work` every `everyMs`, with at most `atOnce` runs under way (one, unless the work claims
 * what it does, so runs never share any); a failure is logged when it starts and when it ends, and
 * the loop goes on.
 */
function every(everyMs: number, name: string, work: () => Promise<unknown>, atOnce = 1) {
  let running = 0;
  const failures = failureLog(name);
  return setInterval(async () => {
    if (running >= atOnce) return;
    running++;
    try {
      await work();
      failures.succeeded();
    } catch (error) {
      failures.failed(error);
    } finally {
      running--;
    }
  }, everyMs);
}

/** This process, as heartbeats name it. */
const instanceId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** This process says it is alive, so readiness and the dashboard can tell a stalled worker. */
function heartbeat() {
  const startedAt = new Date();
  const beat = () => {
    const beatAt = new Date();
    return db().workerHeartbeat.upsert({
      where: { id: instanceId },
      create: { id: instanceId, host: os.hostname(), pid: process.pid, startedAt, beatAt },
      update: { beatAt },
    });
  };
  void beat().catch(() => {}); // at once, so readiness need not wait a whole interval; failures are logged by the loop
  return every(HEARTBEAT_SECONDS * 1000, "worker heartbeat", beat);
}

type Scheduler = { timers: NodeJS.Timeout[]; queue?: Queue; stopped: boolean };
const g = globalThis as unknown as { coachScheduler?: Scheduler };

/**
 * The background work of this process. Hot paths stay plain loops over deadline columns claimed
 * with conditional updates: the enforcer every 250 ms, the tamper check beside it, webhook
 * messages whose action failed every second. Periodic work that must run once across all
 * processes goes through graphile-worker's queue (lib/calls/queue.ts): the reconciler every few
 * seconds, retention every 10 minutes.
 */
export function startScheduler() {
  if (g.coachScheduler) return;
  const config = appConfig();
  const pricing = pricingFromEnv();
  const rest = vapiRestFor(config);
  const control = { bearer: config.vapi.controlBearer };
  if (config.vapi.staticPublicKey)
    log.warn(
      "The browser gets the static Vapi public key (VAPI_STATIC_PUBLIC_KEY=1 or no VAPI_PRIVATE_KEY): anyone can start calls with it; only the webhook and the reconciler stop them.",
    );
  const scheduler: Scheduler = (g.coachScheduler = { timers: [], stopped: false });
  scheduler.timers.push(
    heartbeat(),
    // A pass waits up to 3 s on a slow control URL: the next ones claim the cutoffs due meanwhile.
    every(TICK_MS, "enforcer", () => enforceOnce(db(), control), ENFORCER_PASSES_AT_ONCE),
    every(RETRY_TICK_MS, "webhook retry", () => retryUnprocessedMessages({ db: db(), config, pricing })),
  );
  if (rest) scheduler.timers.push(every(TICK_MS, "tamper check", () => checkNewCallsForTampering(db(), rest)));
  else log.warn("VAPI_PRIVATE_KEY is not set: calls are not checked for tampering and not reconciled with Vapi.");
  const options = {
    assistantId: config.vapi.assistantId,
    startTokenSecret: config.startTokenSecret,
    pricing,
    settleGraceSeconds: Number(process.env.COACH_SETTLE_GRACE_SECONDS ?? 60),
    lookbackMinutes: 24 * 60,
  };
  const work = {
    retention: () => enforceRetention(db()),
    reconcile: rest
      ? {
          everySeconds: Number(process.env.COACH_RECONCILE_INTERVAL_SECONDS ?? 5),
          run: () => reconcileOnce(db(), rest, options),
          outcome: (ok: boolean) => metrics.reconcilerRuns.inc({ outcome: ok ? "ok" : "failed" }),
        }
      : undefined,
  };
  // Started again (every 10 s) when it cannot start, or when its runner stops on a fatal error.
  const failures = failureLog("job queue");
  const restart = (error: unknown) => {
    failures.failed(error);
    if (!scheduler.stopped) scheduler.timers.push(setTimeout(connect, QUEUE_RESTART_MS));
  };
  const connect = async () => {
    if (scheduler.stopped) return;
    try {
      const queue = await startQueue({ connectionString: databaseUrl(), work });
      failures.succeeded();
      if (scheduler.stopped) return void (await queue.stop());
      scheduler.queue = queue;
      const ended = (error: unknown) => {
        if (scheduler.stopped) return;
        scheduler.queue = undefined;
        void queue.stop().catch(() => {});
        restart(error);
      };
      queue.runner.promise.then(() => ended(new Error("The job queue's runner stopped by itself")), ended);
    } catch (error) {
      restart(error);
    }
  };
  void connect();
}

/** Stops the loops and lets the queue finish its running jobs (graphile-worker's graceful stop). */
export async function stopScheduler() {
  const scheduler = g.coachScheduler;
  if (!scheduler || scheduler.stopped) return;
  scheduler.stopped = true;
  for (const timer of scheduler.timers) clearInterval(timer);
  await scheduler.queue?.stop();
}

/**
 * Stops the background work on SIGINT or SIGTERM, then calls `then` (a worker exits there;
 * Next.js exits by itself once its server has closed, while running jobs finish).
 */
export function stopOnSignals(then?: () => void) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log.info({ signal }, "Background work stopping: running jobs finish first");
      void stopScheduler()
        .catch((error) => log.error({ err: error }, "The job queue did not stop cleanly"))
        .finally(then);
    });
  }
}
