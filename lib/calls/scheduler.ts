import { db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { enforceOnce } from "./enforcer";

const TICK_MS = 250;

/** Runs the enforcer every 250 ms in this server process; a tick never overlaps the previous one. */
export function startScheduler() {
  const g = globalThis as unknown as { coachScheduler?: NodeJS.Timeout };
  if (g.coachScheduler) return;
  let running = false;
  g.coachScheduler = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await enforceOnce(db(), { bearer: appConfig().vapi.controlBearer });
    } catch (error) {
      console.error("enforcer tick failed", error);
    } finally {
      running = false;
    }
  }, TICK_MS);
}
