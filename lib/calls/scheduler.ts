import { db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { enforceOnce } from "./enforcer";
import { retryUnprocessedMessages } from "./process-message";
import { reconcileOnce } from "./reconciler";
import { checkNewCallsForTampering } from "./tamper";
import { vapiRestFor } from "./vapi-rest";

const TICK_MS = 250;
const RETRY_TICK_MS = 1000;

/** Calls `work` every `everyMs`, never overlapping itself; errors are logged, and the loop goes on. */
function every(everyMs: number, name: string, work: () => Promise<unknown>) {
  let running = false;
  return setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await work();
    } catch (error) {
      console.error(`${name} failed`, error);
    } finally {
      running = false;
    }
  }, everyMs);
}

/** The enforcer every 250 ms, the tamper check alongside it, webhook messages whose action failed every second, and the reconciler every few seconds, in this server process. */
export function startScheduler() {
  const g = globalThis as unknown as { coachScheduler?: NodeJS.Timeout[] };
  if (g.coachScheduler) return;
  const config = appConfig();
  const pricing = pricingFromEnv();
  const rest = vapiRestFor(config);
  const control = { bearer: config.vapi.controlBearer };
  if (config.vapi.staticPublicKey) console.warn("The browser gets the static Vapi public key (VAPI_STATIC_PUBLIC_KEY=1 or no VAPI_PRIVATE_KEY): anyone can start calls with it; only the webhook and the reconciler stop them.");
  g.coachScheduler = [
    every(TICK_MS, "enforcer", () => enforceOnce(db(), control)),
    every(RETRY_TICK_MS, "webhook retry", () => retryUnprocessedMessages({ db: db(), config, pricing })),
  ];
  if (!rest) {
    console.warn("VAPI_PRIVATE_KEY is not set: calls are not checked for tampering and not reconciled with Vapi.");
    return;
  }
  const reconcileEveryMs = Number(process.env.COACH_RECONCILE_INTERVAL_SECONDS ?? 5) * 1000;
  const options = {
    assistantId: config.vapi.assistantId, startTokenSecret: config.startTokenSecret, pricing,
    settleGraceSeconds: Number(process.env.COACH_SETTLE_GRACE_SECONDS ?? 60), lookbackMinutes: 24 * 60,
  };
  g.coachScheduler.push(
    every(TICK_MS, "tamper check", () => checkNewCallsForTampering(db(), rest)),
    every(reconcileEveryMs, "reconciler", () => reconcileOnce(db(), rest, options)),
  );
}
