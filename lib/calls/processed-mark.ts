import { prepared, utc, type Sql } from "@/lib/db/client";

// A webhook message's action commits with the mark that it ran (lib/calls/process-message.ts):
// inside the action's own statement where the action is one, or beside it in its transaction.

/** The mark, for a statement's CTE; `key` and `at` are its placeholders ($n). A null key marks nothing. */
export const markProcessedSql = (key: string, at: string) =>
  `UPDATE "WebhookEvent" SET "processedAt" = ${at}::timestamp, "action" = NULL, "nextAttemptAt" = NULL
   WHERE "dedupeKey" = ${key} AND "processedAt" IS NULL`;

/**
 * The mark of each row of `source` (a CTE with "processedKey" and "at" columns), for a statement
 * that acts for several messages. `keys` is the placeholder of those keys as a text[] parameter:
 * the messages are found by it, so the planner cannot read every message not processed yet and
 * join (it did, with no statistics, for a join on the CTE alone).
 */
export const markEachProcessedSql = (source: string, keys: string) =>
  `UPDATE "WebhookEvent" w SET "processedAt" = m."at", "action" = NULL, "nextAttemptAt" = NULL
   FROM ${source} m WHERE w."dedupeKey" = ANY(${keys}::text[]) AND w."dedupeKey" = m."processedKey" AND w."processedAt" IS NULL`;

/** The mark on its own, for an action that found its work already done. */
export async function markProcessed(sql: Sql, key: string | undefined, at: Date) {
  if (key) await sql.query(prepared({ text: markProcessedSql("$1", "$2"), values: [key, utc(at)] }));
}
