import { prepared, utc, type Db } from "@/lib/db/client";
import { log } from "@/lib/observability/log";
import { MessageAction, runAction, type ActionContext } from "./message-actions";

// At-least-once processing: a verified message is recorded with its action first; the action then
// runs, and the mark that it ran commits with its effect (lib/calls/processed-mark.ts). A failed action is retried: on
// redelivery, and by retryUnprocessedMessages with exponential backoff, until it succeeds.

export type PendingMessage = {
  dedupeKey: string;
  type: string;
  vapiCallId: string | null;
  attempts: number;
  action: MessageAction;
};

/** After the n-th failure the next attempt waits 2^(n-1) seconds, at most this long. */
const MAX_BACKOFF_SECONDS = 300;
const RETRY_BATCH = 50;
/** A claimed retry not finished by then (the process died mid-way) is due again. */
const RETRY_LEASE_SECONDS = 60;

/** Runs a pending message's action once; false when it failed (recorded, logged on its first failure, due again after a backoff). */
export async function processMessage(ctx: ActionContext, m: PendingMessage, now = new Date()): Promise<boolean> {
  try {
    await runAction(ctx, m.action, now, m.dedupeKey);
    if (m.attempts > 0)
      log.info(
        { callId: m.vapiCallId, messageType: m.type, failures: m.attempts },
        "Webhook message processed after failed attempts",
      );
    return true;
  } catch (error) {
    await recordFailure(ctx.db, m, error, now);
    return false;
  }
}

async function recordFailure(db: Db, m: PendingMessage, error: unknown, now: Date) {
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  const failed = await db.pool
    .query<{ attempts: number }>({
      text: `UPDATE "WebhookEvent" SET "attempts" = "attempts" + 1, "lastError" = $2,
             "nextAttemptAt" = $3::timestamp + make_interval(secs => LEAST(power(2, "attempts"), ${MAX_BACKOFF_SECONDS}))
           WHERE "dedupeKey" = $1 AND "processedAt" IS NULL RETURNING "attempts"`,
      values: [m.dedupeKey, reason, utc(now)],
    })
    .catch(() => null); // the database is what failed: the row keeps its earlier due time, and a retry finds it then
  // Logged once per message, on its first failure; the count and the last error stay on its row.
  if ((failed?.rows[0]?.attempts ?? 1) === 1) {
    log.error(
      { callId: m.vapiCallId, messageType: m.type, err: error },
      "Webhook message recorded, but acting on it failed; it will be retried",
    );
  }
}

/**
 * Claims messages whose action is due again (failed before, or never finished) and runs them.
 * The claim pushes each one's due time past a lease, so several processes never run one at once.
 */
export async function retryUnprocessedMessages(ctx: ActionContext, now = new Date(), limit = RETRY_BATCH) {
  const claimed = await ctx.db.pool.query<{
    dedupeKey: string;
    type: string;
    vapiCallId: string | null;
    attempts: number;
    action: unknown;
  }>(
    prepared({
      text: `UPDATE "WebhookEvent" SET "nextAttemptAt" = $1::timestamp + make_interval(secs => ${RETRY_LEASE_SECONDS})
           WHERE "id" IN (SELECT "id" FROM "WebhookEvent" WHERE "processedAt" IS NULL AND "nextAttemptAt" <= $1::timestamp
                          ORDER BY "nextAttemptAt" LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING "dedupeKey", "type", "vapiCallId", "attempts", "action"`,
      values: [utc(now), limit],
    }),
  );
  let processed = 0;
  for (const row of claimed.rows) {
    const action = MessageAction.safeParse(row.action);
    const message = { ...row, action: action.data! };
    if (!action.success) await recordFailure(ctx.db, message, new Error("its stored action is unreadable"), now);
    else if (await processMessage(ctx, message, now)) processed++;
  }
  return { claimed: claimed.rows.length, processed };
}
