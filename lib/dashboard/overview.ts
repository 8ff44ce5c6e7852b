import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import { lastReconciledAt } from "@/lib/calls/reconciler";
import type { Db } from "@/lib/db/client";
import { addDays, at, num, startOfUtcDay } from "./sql";
import type { DailyPoint } from "./types";

export type Overview = {
  creditsOutstanding: number;
  creditsHeld: number;
  secondsToday: number;
  seconds7Days: number;
  liveCalls: number;
  unauthorizedCalls: number;
  /**
   * Leakage: how long the calls we did not authorize, or whose browser tampered with them, ran by
   * Vapi's record (end-of-call report, or the reconciler's read of the call), whatever was billed.
   */
  leakageSeconds: number;
  /** Such calls not settled yet: their seconds join the leakage once Vapi's record of them arrives. */
  leakingCallsUnsettled: number;
  vapiCostUsd30Days: number;
  creditsBilled30Days: number;
  daily: DailyPoint[];
};

const DAYS = 30;

/**
 * The overview's figures in four queries. Days are UTC days; "used" minutes are those of calls we
 * authorized (UNAUTHORIZED calls are leakage); Vapi's cost counts every call, since Vapi bills all.
 */
export async function getOverview(db: Db, viewer: CurrentUser, now: Date): Promise<Overview> {
  assertOperator(viewer);
  const today = startOfUtcDay(now);
  const since = addDays(today, -(DAYS - 1));
  const [[balances], [statusCounts], [leakage], days] = await Promise.all([
    db.$queryRaw<{ outstanding: bigint; held: bigint }[]>`
      SELECT SUM("available" + "held") AS outstanding, SUM("held") AS held FROM "User"`,
    db.$queryRaw<{ live: bigint; unauthorized: bigint }[]>`
      SELECT COUNT(*) FILTER (WHERE "status" = 'ACTIVE') AS live,
             COUNT(*) FILTER (WHERE "status" = 'UNAUTHORIZED') AS unauthorized
        FROM "Call" WHERE "status" IN ('ACTIVE', 'UNAUTHORIZED')`,
    db.$queryRaw<{ seconds: bigint; unsettled: bigint }[]>`
      SELECT SUM("usedSeconds") AS seconds, COUNT(*) FILTER (WHERE "usedSeconds" IS NULL) AS unsettled
        FROM "Call" WHERE "status" = 'UNAUTHORIZED' OR "flag" = 'TAMPER'`,
    db.$queryRaw<{ day: Date; seconds: bigint; cost: number | null; credits: bigint }[]>`
      SELECT date_trunc('day', "startedAt") AS day,
             SUM("usedSeconds") FILTER (WHERE "status" <> 'UNAUTHORIZED') AS seconds,
             SUM("vapiCost") AS cost,
             SUM("creditsCharged") AS credits
        FROM "Call" WHERE "startedAt" >= ${at(since)} AND "startedAt" < ${at(addDays(today, 1))}
       GROUP BY 1`,
  ]);

  const byDay = new Map(days.map((d) => [d.day.toISOString().slice(0, 10), d]));
  const daily: DailyPoint[] = [];
  const seconds: number[] = [];
  for (let i = 0; i < DAYS; i++) {
    const day = addDays(since, i).toISOString().slice(0, 10);
    const row = byDay.get(day);
    seconds.push(num(row?.seconds));
    daily.push({
      day,
      minutes: round(num(row?.seconds) / 60, 1),
      vapiCostUsd: round(row?.cost ?? 0, 2),
      creditsBilled: num(row?.credits),
    });
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  return {
    creditsOutstanding: num(balances?.outstanding),
    creditsHeld: num(balances?.held),
    secondsToday: seconds[DAYS - 1],
    seconds7Days: sum(seconds.slice(-7)),
    liveCalls: num(statusCounts?.live),
    unauthorizedCalls: num(statusCounts?.unauthorized),
    leakageSeconds: num(leakage?.seconds),
    leakingCallsUnsettled: num(leakage?.unsettled),
    vapiCostUsd30Days: round(sum(days.map((d) => d.cost ?? 0)), 2),
    creditsBilled30Days: sum(daily.map((d) => d.creditsBilled)),
    daily,
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Shown on the overview when the reconciler is not keeping up (failing to reach Vapi, a wrong
 * key…): meanwhile, calls that bypass our webhooks go unseen.
 */
export async function reconcilerWarning(
  db: Db,
  viewer: CurrentUser,
  env: Record<string, string | undefined>,
  now: Date,
): Promise<string | null> {
  assertOperator(viewer);
  if (!env.VAPI_PRIVATE_KEY) return null; // vapiKeyWarnings says why there is no reconciler
  const checkedAt = await lastReconciledAt(db);
  if (!checkedAt)
    return "The reconciler has not read Vapi's call list yet. If this stays, check VAPI_PRIVATE_KEY and the server logs.";
  const intervalMs = Number(env.COACH_RECONCILE_INTERVAL_SECONDS ?? 5) * 1000;
  if (now.getTime() - checkedAt.getTime() <= Math.max(60_000, 6 * intervalMs)) return null;
  return `The reconciler last read Vapi's call list at ${checkedAt.toISOString()}: calls that bypass our webhooks go unseen until it does again. Check the server logs.`;
}

/** Shown on the overview: configurations where the browser could start calls we never see or bill. */
export function vapiKeyWarnings(env: Record<string, string | undefined>): string[] {
  const warnings: string[] = [];
  if (!env.VAPI_PRIVATE_KEY)
    warnings.push(
      "VAPI_PRIVATE_KEY is not set: the server cannot list calls from Vapi, so calls that bypass our webhooks go unseen.",
    );
  if (env.VAPI_STATIC_PUBLIC_KEY === "1")
    warnings.push(
      "The browser gets a static public key (VAPI_STATIC_PUBLIC_KEY=1): anyone holding it can start calls outside the credit gate.",
    );
  return warnings;
}
