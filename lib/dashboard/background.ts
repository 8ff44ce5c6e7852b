import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import { queueJobs } from "@/lib/calls/queue-jobs";
import { readDatabaseFacts } from "@/lib/observability/database-facts";

/** A heartbeat older than this means the process stopped (it beats every 5 s). */
export const STALE_HEARTBEAT_SECONDS = 15;

/**
 * What the background work is doing: the rows the loops work through (webhook retries, tamper
 * checks) and graphile-worker's queue (jobs per task and state, what is failing and why), the
 * reconciler's last read of Vapi's calls and its next run, and each worker process's heartbeat.
 */
export async function backgroundWork(db: Db, viewer: CurrentUser, now = new Date()) {
  assertOperator(viewer);
  const [facts, failingMessages, failingTamperChecks, workers, queue] = await Promise.all([
    readDatabaseFacts(db, now),
    db.webhookEvent.findMany({
      where: { processedAt: null, attempts: { gt: 0 } },
      orderBy: { nextAttemptAt: "asc" },
      take: 20,
      select: {
        id: true,
        type: true,
        vapiCallId: true,
        attempts: true,
        lastError: true,
        nextAttemptAt: true,
        receivedAt: true,
      },
    }),
    db.call.findMany({
      where: { status: "ACTIVE", overridesCheckedAt: null, overridesCheckFailures: { gt: 0 } },
      orderBy: { overridesCheckDueAt: "asc" },
      take: 20,
      select: { vapiCallId: true, overridesCheckFailures: true, overridesCheckDueAt: true },
    }),
    db.workerHeartbeat.findMany({
      where: { beatAt: { gt: new Date(now.getTime() - 86_400_000) } },
      orderBy: { startedAt: "desc" },
    }),
    queueJobs(db),
  ]);
  return {
    jobs: facts.jobs,
    reconcilerLagSeconds: facts.reconcilerLagSeconds,
    failingMessages,
    failingTamperChecks,
    workers: workers.map((w) => ({
      ...w,
      alive: now.getTime() - w.beatAt.getTime() <= STALE_HEARTBEAT_SECONDS * 1000,
    })),
    queue,
    /** Seconds until the reconciler's next run is due (negative: overdue), or null when none is queued. */
    reconcilerNextRunInSeconds: queue.nextReconcileAt ? (queue.nextReconcileAt.getTime() - now.getTime()) / 1000 : null,
  };
}
