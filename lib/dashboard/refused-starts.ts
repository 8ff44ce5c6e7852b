import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import { LINES_BUSY } from "@/lib/calls/refused-start";
import type { Db } from "@/lib/db/client";
import { addDays, startOfUtcDay } from "./sql";

export type BusyLines = {
  /** Starts Vapi refused because all lines (its concurrency limit) were busy, this UTC day and over 7 days. */
  today: number;
  last7Days: number;
  /** The calls page, filtered to them. */
  href: string;
};

/**
 * How often callers met "all lines are busy": when it grows, the account needs more lines at Vapi.
 * Counted from the calls Vapi reported refused (its end-of-call report or its record), never from
 * the browser's word.
 */
export async function busyLines(db: Db, viewer: CurrentUser, now: Date): Promise<BusyLines> {
  assertOperator(viewer);
  const today = startOfUtcDay(now);
  const refused = (since: Date) => db.call.count({ where: { endedReason: LINES_BUSY, startedAt: { gte: since } } });
  const [todayCount, weekCount] = await Promise.all([refused(today), refused(addDays(today, -6))]);
  return {
    today: todayCount,
    last7Days: weekCount,
    href: `/dashboard/calls?endedBy=${encodeURIComponent(`reason:${LINES_BUSY}`)}`,
  };
}
