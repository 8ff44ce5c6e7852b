import type { Db } from "@/lib/db/client";
import { readDatabaseFacts } from "@/lib/observability/database-facts";

/** A heartbeat older than this means the process stopped (it beats every 5 s). */
export const STALE_HEARTBEAT_SECONDS = 15;

/**
 * What the background work is doing: queue depth by state, what is failing and why, the
 * reconciler's last read of Vapi's calls, and each worker process's heartbeat.
 */
export async function backgroundWork(db: Db, now = new Date()) {
  const [facts, failingMessages, failingTamperChecks, workers, leases] = await Promise.all([
    readDatabaseFacts(db, now),
    db.webhookEvent.findMany({
      where: { processedAt: null, attempts: { gt: 0 } }, orderBy: { nextAttemptAt: "asc" }, take: 20,
      select: { id: true, type: true, vapiCallId: true, attempts: true, lastError: true, nextAttemptAt: true, receivedAt: true },
    }),
    db.call.findMany({
      where: { status: "ACTIVE", overridesCheckedAt: null, overridesCheckFailures: { gt: 0 } }, orderBy: { overridesCheckDueAt: "asc" }, take: 20,
      select: { vapiCallId: true, overridesCheckFailures: true, overridesCheckDueAt: true },
    }),
    db.workerHeartbeat.findMany({ where: { beatAt: { gt: new Date(now.getTime() - 86_400_000) } }, orderBy: { startedAt: "desc" } }),
    db.runLease.findMany({ orderBy: { name: "asc" } }),
  ]);
  return {
    jobs: facts.jobs,
    reconcilerLagSeconds: facts.reconcilerLagSeconds,
    failingMessages,
    failingTamperChecks,
    workers: workers.map((w) => ({ ...w, alive: now.getTime() - w.beatAt.getTime() <= STALE_HEARTBEAT_SECONDS * 1000 })),
    leases,
  };
}
