import { randomUUID } from "node:crypto";
import os from "node:os";
import { db } from "@/lib/db/client";
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
import { claimRun } from "./run-lease";

const TICK_MS = 250;
const RETRY_TICK_MS = 1000;
const RETENTION_TICK_MS = 10 * 60_000;
export const HEARTBEAT_SECONDS = 5;

/** What a tick's work returns when it had nothing to do this time: neither a success nor a failure. */
const SKIPPED = Symbol("skipped");

/** Calls `work` every `everyMs`, never overlapping itself; a failure is logged when it starts and when it ends, and the loop goes on. */
function every(everyMs: number, name: string, work: () => Promise<unknown>) {
  let running = false;
  const failures = failureLog(name);
  return setInterval(async () => {
    if (running) return;
    running = true;
    try {
      if ((await work()) !== SKIPPED) failures.succeeded();
    } catch (error) {
      failures.failed(error);
    } finally {
      running = false;
    }
  }, everyMs);
}

/**
 * Like `every`, but however many processes run it, the work runs once per interval across all of
 * them: each looks every second whether the interval's run is still to be claimed (lib/calls/run-lease.ts).
 */
function everyOnceInCluster(everyMs: number, name: string, work: () => Promise<unknown>, outcome?: (ok: boolean) => void) {
  return every(Math.min(1000, everyMs), name, async () => {
    if (!(await claimRun(db(), name, instanceId, everyMs / 1000))) return SKIPPED;
    try {
      await work();
      outcome?.(true);
    } catch (error) {
      outcome?.(false);
      throw error;
    }
  });
}

/** This process, as heartbeats and run leases name it. */
const instanceId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** This process says it is alive, so readiness and the dashboard can tell a stalled worker. */
function heartbeat() {
  const startedAt = new Date();
  const beat = () => {
    const beatAt = new Date();
    return db().workerHeartbeat.upsert({ where: { id: instanceId }, create: { id: instanceId, host: os.hostname(), pid: process.pid, startedAt, beatAt }, update: { beatAt } });
  };
  void beat().catch(() => {}); // at once, so readiness need not wait a whole interval; failures are logged by the loop
  return every(HEARTBEAT_SECONDS * 1000, "worker heartbeat", beat);
}

/** The enforcer every 250 ms, the tamper check alongside it, webhook messages whose action failed every second, retention every 10 minutes, and the reconciler every few seconds, in this server process. */
export function startScheduler() {
  const g = globalThis as unknown as { coachScheduler?: NodeJS.Timeout[] };
  if (g.coachScheduler) return;
  const config = appConfig();
  const pricing = pricingFromEnv();
  const rest = vapiRestFor(config);
  const control = { bearer: config.vapi.controlBearer };
  if (config.vapi.staticPublicKey) log.warn("The browser gets the static Vapi public key (VAPI_STATIC_PUBLIC_KEY=1 or no VAPI_PRIVATE_KEY): anyone can start calls with it; only the webhook and the reconciler stop them.");
  g.coachScheduler = [
    heartbeat(),
    every(TICK_MS, "enforcer", () => enforceOnce(db(), control)),
    every(RETRY_TICK_MS, "webhook retry", () => retryUnprocessedMessages({ db: db(), config, pricing })),
    everyOnceInCluster(RETENTION_TICK_MS, "retention", () => enforceRetention(db())),
  ];
  if (!rest) {
    log.warn("VAPI_PRIVATE_KEY is not set: calls are not checked for tampering and not reconciled with Vapi.");
    return;
  }
  const reconcileEveryMs = Number(process.env.COACH_RECONCILE_INTERVAL_SECONDS ?? 5) * 1000;
  const options = {
    assistantId: config.vapi.assistantId, startTokenSecret: config.startTokenSecret, pricing,
    settleGraceSeconds: Number(process.env.COACH_SETTLE_GRACE_SECONDS ?? 60), lookbackMinutes: 24 * 60,
  };
  g.coachScheduler.push(
    every(TICK_MS, "tamper check", () => checkNewCallsForTampering(db(), rest)),
    everyOnceInCluster(reconcileEveryMs, "reconciler", () => reconcileOnce(db(), rest, options), (ok) => metrics.reconcilerRuns.inc({ outcome: ok ? "ok" : "failed" })),
  );
}
