import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import type { WebhookOutcome } from "@/lib/generated/prisma/client";
import { maskPersonalData } from "@/lib/vapi/mask";
import { pageInfo, skipFor } from "./pagination";
import { REJECTED_BY_REASON, REJECTED_BY_SOURCE } from "@/lib/calls/inbox";
import { at, num } from "./sql";

export const WEBHOOKS_PAGE_SIZE = 50;

/**
 * Stored webhook events, newest first, without their payloads (those are fetched one at a time).
 * "unprocessed": verified messages whose action has not committed yet (failed, and due again).
 */
export async function listWebhookEvents(
  db: Db,
  viewer: CurrentUser,
  o: { outcome?: WebhookOutcome | "unprocessed"; page: number },
) {
  assertOperator(viewer);
  const where = o.outcome === "unprocessed" ? { processedAt: null } : { outcome: o.outcome };
  const [total, events, unprocessed] = await Promise.all([
    db.webhookEvent.count({ where }),
    db.webhookEvent.findMany({
      where,
      orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
      skip: skipFor(o.page, WEBHOOKS_PAGE_SIZE),
      take: WEBHOOKS_PAGE_SIZE,
      select: {
        id: true,
        type: true,
        vapiCallId: true,
        status: true,
        outcome: true,
        detail: true,
        receivedAt: true,
        processedAt: true,
        attempts: true,
        lastError: true,
        nextAttemptAt: true,
      },
    }),
    db.webhookEvent.count({ where: { processedAt: null } }),
  ]);
  return { events, unprocessed, pageInfo: pageInfo(o.page, WEBHOOKS_PAGE_SIZE, total) };
}

/** One event's payload: masked when stored, and masked again here since this is where people read it. */
export async function getWebhookEvent(db: Db, viewer: CurrentUser, id: bigint) {
  assertOperator(viewer);
  const event = await db.webhookEvent.findUnique({ where: { id } });
  return event && { ...event, payload: maskPersonalData(event.payload) };
}

export type RejectedCount = { key: string; total: number; last24Hours: number; lastSeen: Date };

async function rejectedCounts(db: Db, prefix: string, dayAgo: Date, limit: number): Promise<RejectedCount[]> {
  const rows = await db.$queryRaw<{ key: string; total: bigint; recent: bigint; lastSeen: Date }[]>`
    SELECT substr("key", ${prefix.length + 1}) AS key, SUM("count") AS total,
           COALESCE(SUM("count") FILTER (WHERE "windowStart" >= ${at(dayAgo)}), 0) AS recent,
           MAX("windowStart") AS "lastSeen"
      FROM "RateLimitWindow" WHERE "key" LIKE ${`${prefix}%`}
     GROUP BY 1 ORDER BY 2 DESC LIMIT ${limit}`;
  return rows.map((r) => ({ key: r.key, total: num(r.total), last24Hours: num(r.recent), lastSeen: r.lastSeen }));
}

/** Rejected webhooks are never stored, only counted in RateLimitWindow rows: by reason, and by source. */
export async function rejectedWebhookCounts(
  db: Db,
  viewer: CurrentUser,
  now: Date,
): Promise<{ byReason: RejectedCount[]; bySource: RejectedCount[] }> {
  assertOperator(viewer);
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const [byReason, bySource] = await Promise.all([
    rejectedCounts(db, REJECTED_BY_REASON, dayAgo, 100),
    rejectedCounts(db, REJECTED_BY_SOURCE, dayAgo, 20),
  ]);
  return { byReason, bySource };
}
