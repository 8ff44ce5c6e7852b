import type { Db } from "@/lib/db/client";
import { maskPersonalData } from "@/lib/vapi/mask";
import { pageInfo, skipFor } from "./pagination";
import type { VerifyFailure } from "@/lib/vapi/verify";
import { at, num } from "./sql";

export const WEBHOOKS_PAGE_SIZE = 50;
const REJECTED_PREFIX = "webhook-rejected:";

/** Stored webhook events, newest first, without their payloads (those are fetched one at a time). */
export async function listWebhookEvents(db: Db, o: { outcome?: "accepted" | "invalid" | "ignored"; page: number }) {
  const where = { outcome: o.outcome };
  const [total, events] = await Promise.all([
    db.webhookEvent.count({ where }),
    db.webhookEvent.findMany({
      where,
      orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
      skip: skipFor(o.page, WEBHOOKS_PAGE_SIZE),
      take: WEBHOOKS_PAGE_SIZE,
      select: { id: true, type: true, vapiCallId: true, status: true, outcome: true, detail: true, receivedAt: true },
    }),
  ]);
  return { events, pageInfo: pageInfo(o.page, WEBHOOKS_PAGE_SIZE, total) };
}

/** One event's payload: masked when stored, and masked again here since this is where people read it. */
export async function getWebhookEvent(db: Db, id: bigint) {
  const event = await db.webhookEvent.findUnique({ where: { id } });
  return event && { ...event, payload: maskPersonalData(event.payload) };
}

// The inbox counts rejections under two families of keys with one prefix: webhook-rejected:<reason>
// (hourly windows) and webhook-rejected:<client address> (minute windows, for throttling).
// Reasons are VerifyFailure's words; anything else is a source address.
const REJECTION_REASONS = [
  "no-accepted-mode", "missing-auth", "mode-not-accepted", "bad-secret", "bad-bearer",
  "bad-signature", "missing-timestamp", "bad-timestamp", "stale-timestamp",
] as const satisfies readonly VerifyFailure[];
// Fails to compile when verify.ts learns a reason this list does not know.
const everyReasonListed: [Exclude<VerifyFailure, (typeof REJECTION_REASONS)[number]>] extends [never] ? true : never = true;
void everyReasonListed;

export type RejectedCount = { key: string; total: number; last24Hours: number; lastSeen: Date };

/** Rejected webhooks are never stored, only counted in RateLimitWindow rows: by reason, and by source. */
export async function rejectedWebhookCounts(db: Db, now: Date): Promise<{ byReason: RejectedCount[]; bySource: RejectedCount[] }> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const rows = await db.$queryRaw<{ key: string; total: bigint; recent: bigint; lastSeen: Date }[]>`
    SELECT substr("key", ${REJECTED_PREFIX.length + 1}) AS key, SUM("count") AS total,
           COALESCE(SUM("count") FILTER (WHERE "windowStart" >= ${at(dayAgo)}), 0) AS recent,
           MAX("windowStart") AS "lastSeen"
      FROM "RateLimitWindow" WHERE "key" LIKE ${`${REJECTED_PREFIX}%`}
     GROUP BY 1 ORDER BY 2 DESC`;
  const counts = rows.map((r) => ({ key: r.key, total: num(r.total), last24Hours: num(r.recent), lastSeen: r.lastSeen }));
  const isReason = (key: string) => (REJECTION_REASONS as readonly string[]).includes(key);
  return { byReason: counts.filter((c) => isReason(c.key)), bySource: counts.filter((c) => !isReason(c.key)).slice(0, 20) };
}
