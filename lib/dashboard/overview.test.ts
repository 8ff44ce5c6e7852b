import { beforeAll, describe, expect, it } from "vitest";
import { checkInvariants } from "@/lib/credits/invariants";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { getOverview, reconcilerWarning, vapiKeyWarnings, type Overview } from "./overview";
import { anOperator, billedCall, unauthorizedCall } from "@/test/dashboard-fixtures";

const now = new Date("2026-03-15T12:00:00.000Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

let db: Db;
let overview: Overview;

// A small world whose figures are known by hand.
beforeAll(async () => {
  ({ db } = await freshDb());
  const a = await userWithCredits(db, 100);
  const b = await userWithCredits(db, 50);
  const c = await userWithCredits(db, 40);
  const d = await userWithCredits(db, 200);
  await userWithCredits(db, 0, { role: "OPERATOR" });
  await billedCall(db, a.id, { startedAt: hoursAgo(2), held: 100, charged: 20, usedSeconds: 120, vapiCost: 0.15 });
  await billedCall(db, b.id, { startedAt: hoursAgo(72), held: 50, charged: 30, usedSeconds: 300, vapiCost: 0.4 });
  await billedCall(db, c.id, { startedAt: hoursAgo(0.1), held: 40, live: true, cutoffAt: hoursAgo(-0.5) });
  await billedCall(db, d.id, { startedAt: hoursAgo(24 * 40), held: 150, charged: 100, usedSeconds: 600, vapiCost: 1 });
  await unauthorizedCall(db, { startedAt: hoursAgo(1), usedSeconds: 45, vapiCost: 0.05 });
  overview = await getOverview(db, anOperator, now);
});

describe("overview", () => {
  it("counts the credits outstanding and held across all accounts", () => {
    // a 80, b 20, c 0 + 40 held, d 100.
    expect(overview.creditsOutstanding).toBe(240);
    expect(overview.creditsHeld).toBe(40);
  });

  it("counts minutes used by authorized calls today and over 7 UTC days", () => {
    expect(overview.secondsToday).toBe(120);
    expect(overview.seconds7Days).toBe(420);
  });

  it("counts live and unauthorized calls and the talk time that leaked", () => {
    expect(overview).toMatchObject({
      liveCalls: 1,
      unauthorizedCalls: 1,
      leakageSeconds: 45,
      leakingCallsUnsettled: 0,
    });
  });

  it("sets Vapi's cost of every call in 30 days against the credits billed", () => {
    expect(overview.vapiCostUsd30Days).toBeCloseTo(0.6, 5);
    expect(overview.creditsBilled30Days).toBe(50);
  });

  it("gives 30 days of points, today last, with empty days at zero", () => {
    expect(overview.daily).toHaveLength(30);
    expect(overview.daily[0].day).toBe("2026-02-14");
    expect(overview.daily.at(-1)).toEqual({ day: "2026-03-15", minutes: 2, vapiCostUsd: 0.2, creditsBilled: 20 });
    expect(overview.daily.find((d) => d.day === "2026-03-12")).toEqual({
      day: "2026-03-12",
      minutes: 5,
      vapiCostUsd: 0.4,
      creditsBilled: 30,
    });
    expect(overview.daily.filter((d) => d.minutes > 0)).toHaveLength(2);
  });

  it("leaves the ledger consistent", async () => {
    expect(await checkInvariants(db)).toEqual([]);
  });
});

describe("Vapi key warnings", () => {
  it("warns when the private key is missing or the browser gets a static public key", () => {
    expect(vapiKeyWarnings({ VAPI_PRIVATE_KEY: "k" })).toEqual([]);
    expect(vapiKeyWarnings({})).toHaveLength(1);
    expect(vapiKeyWarnings({ VAPI_PRIVATE_KEY: "k", VAPI_STATIC_PUBLIC_KEY: "1" })[0]).toMatch(/static public key/);
  });
});

describe("the reconciler warning", () => {
  const env = { VAPI_PRIVATE_KEY: "k", COACH_RECONCILE_INTERVAL_SECONDS: "5" };
  it("says when the reconciler has never read Vapi's calls, or not for over a minute, and not otherwise", async () => {
    await db.reconcilerCursor.deleteMany();
    expect(await reconcilerWarning(db, anOperator, env, now)).toMatch(/has not read Vapi's call list yet/);
    await db.reconcilerCursor.create({
      data: { name: "vapi-calls", until: hoursAgo(1), checkedAt: new Date(now.getTime() - 30_000) },
    });
    expect(await reconcilerWarning(db, anOperator, env, now)).toBeNull();
    expect(await reconcilerWarning(db, anOperator, env, new Date(now.getTime() + 60_000))).toMatch(
      /last read Vapi's call list at 2026-03-15T11:59:30.000Z/,
    );
    expect(await reconcilerWarning(db, anOperator, {}, new Date(now.getTime() + 60_000))).toBeNull(); // no key: the key warning says it
  });
});
