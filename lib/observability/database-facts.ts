import type { Db } from "@/lib/db/client";
import { queueJobs } from "@/lib/calls/queue-jobs";
import type { DatabaseFacts } from "./metrics";

/** What the metrics report about all instances at once: balances, background work and the job queue, the reconciler's lag. */
export async function readDatabaseFacts(db: Db, now = new Date()): Promise<DatabaseFacts> {
  const [balances, webhooks, tamper, cursor, queue] = await Promise.all([
    db.pool.query<{ available: string | null; held: string | null }>(
      `SELECT SUM("available") AS available, SUM("held") AS held FROM "User"`,
    ),
    db.pool.query<{ retrying: string; pending: string }>(
      `SELECT COUNT(*) FILTER (WHERE "attempts" > 0) AS retrying, COUNT(*) FILTER (WHERE "attempts" = 0) AS pending FROM "WebhookEvent" WHERE "processedAt" IS NULL`,
    ),
    db.pool.query<{ retrying: string }>(
      `SELECT COUNT(*) AS retrying FROM "Call" WHERE "status" = 'ACTIVE' AND "overridesCheckedAt" IS NULL AND "overridesCheckFailures" > 0`,
    ),
    db.reconcilerCursor.findFirst({ orderBy: { checkedAt: "desc" }, select: { checkedAt: true } }),
    queueJobs(db),
  ]);
  return {
    available: Number(balances.rows[0]?.available ?? 0),
    held: Number(balances.rows[0]?.held ?? 0),
    jobs: {
      "webhook-message-pending": Number(webhooks.rows[0].pending),
      "webhook-message-retrying": Number(webhooks.rows[0].retrying),
      "tamper-check-retrying": Number(tamper.rows[0].retrying),
    },
    queue: queue.byTask,
    reconcilerLagSeconds: cursor ? Math.max(0, (now.getTime() - cursor.checkedAt.getTime()) / 1000) : null,
  };
}
