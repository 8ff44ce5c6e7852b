import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import type { Db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { checkInvariants } from "@/lib/credits/invariants";
import type { Pricing } from "@/lib/credits/pricing";
import { createVapiRestClient, type ListCallsQuery, type VapiRestClient } from "@/lib/vapi/rest";
import { startVapiEmulator, type RunningEmulator } from "@/vapi-emulator/server";
import { apiClient, ASSISTANT_ID, fastConfig, KEYS } from "@/vapi-emulator/test/support";
import { reconcileOnce, type ReconcilerOptions } from "./reconciler";
import { startCall } from "./start-call";

// Vapi (the emulator) sends no server messages here: every call is one no webhook told us about,
// as when the browser silenced them. Only the reconciler can see it.
const pricing: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 30 };
const config = appConfig({
  VAPI_ASSISTANT_ID: ASSISTANT_ID,
  VAPI_PUBLIC_KEY: KEYS.publicKey,
  VAPI_WEBHOOK_SECRET: "s",
  START_TOKEN_SECRET: "reconciler-test-start-secret",
});
const options: ReconcilerOptions = {
  assistantId: ASSISTANT_ID,
  startTokenSecret: config.startTokenSecret,
  pricing,
  settleGraceSeconds: 60,
  lookbackMinutes: 60,
};

let db: Db;
let emulator: RunningEmulator;
let api: ReturnType<typeof apiClient>;
let rest: VapiRestClient;
const queries: ListCallsQuery[] = [];
/** The newest change among the calls each GET /call returned (the call may change again after: the refusal ends it). */
const listedUpTo: number[] = [];
// A Vapi and a database of their own for each test, so one test's calls are not another's news.
beforeEach(async () => {
  ({ db } = await freshDb());
  emulator = await startVapiEmulator(fastConfig(undefined));
  api = apiClient(emulator);
  const real = createVapiRestClient({ apiBaseUrl: emulator.url, privateKey: KEYS.privateKey });
  rest = {
    getCall: (id) => real.getCall(id),
    listCalls: async (q) => {
      queries.push(q ?? {});
      const calls = await real.listCalls(q);
      listedUpTo.push(Math.max(0, ...calls.map((c) => c.updatedAt.getTime())));
      return calls;
    },
  };
});
afterEach(async () => {
  await emulator.close();
  expect(await checkInvariants(db)).toEqual([]);
  queries.length = 0;
  listedUpTo.length = 0;
});

const inAWhile = (seconds: number) => new Date(Date.now() + seconds * 1000);
const attack = async (overrides?: unknown) =>
  ((await api.admin("POST", "/attack", overrides ? { overrides } : {})).body.call as { id: string }).id;
const emulated = async (id: string) =>
  (await api.admin("GET", `/calls/${id}`)).body.call as { status: string; endedReason?: string; updatedAt: string };
const cursor = async () => (await db.reconcilerCursor.findUniqueOrThrow({ where: { name: "vapi-calls" } })).until;

describe("reconcileOnce", () => {
  it("ends a live call no webhook told us about, then reads on from where it stopped", async () => {
    const id = await attack();
    const now = inAWhile(3);
    expect(await reconcileOnce(db, rest, options, now)).toMatchObject({ acted: 1 });
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: id } })).toMatchObject({
      status: "UNAUTHORIZED",
      flag: "MISSING_TOKEN",
    });
    expect(await db.alert.count({ where: { vapiCallId: id, kind: "UNSEEN_CALL" } })).toBe(1);
    const newestChange = new Date(listedUpTo[0]);
    expect(await cursor()).toEqual(newestChange); // Vapi's clock, not ours
    expect((await db.reconcilerCursor.findUniqueOrThrow({ where: { name: "vapi-calls" } })).checkedAt).toEqual(now); // ours: when it last looked

    await reconcileOnce(db, rest, options, inAWhile(4));
    expect(queries.map((q) => q.updatedAtGt?.getTime())).toEqual([
      expect.any(Number), // the first look: the lookback, before any cursor
      newestChange.getTime() - 30_000, // then from the cursor, with room for clock skew
    ]);
    expect(queries[0].updatedAtGt!.getTime()).toBeLessThan(Date.now() - 60 * 60_000);
    expect(await db.alert.count({ where: { vapiCallId: id, kind: "UNSEEN_CALL" } })).toBe(1); // not raised twice
  });

  it("keeps its cursor at an ended call until the report's grace is over, then bills it from Vapi's record", async () => {
    const user = await userWithCredits(db, 100);
    const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
    const id = await attack(start.assistantOverrides);
    await reconcileOnce(db, rest, options, inAWhile(3));
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: id } })).toMatchObject({
      status: "ACTIVE",
      userId: user.id,
    });

    await api.admin("POST", `/calls/${id}/hangup`);
    await new Promise((r) => setTimeout(r, 200)); // the emulator's report comes 60 ms after the end: no later change to this call
    const newer = await attack(); // another call, changed after the ended one
    await reconcileOnce(db, rest, options, inAWhile(4));
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: id } })).toMatchObject({
      status: "ENDED",
      settledAt: null,
    });
    const endedChange = new Date((await emulated(id)).updatedAt);
    expect(endedChange.getTime()).toBeLessThan(new Date((await emulated(newer)).updatedAt).getTime());
    expect(await cursor()).toEqual(endedChange);

    expect(await reconcileOnce(db, rest, options, inAWhile(65))).toMatchObject({ acted: 1 });
    const settled = await db.call.findUniqueOrThrow({ where: { vapiCallId: id } });
    expect(settled).toMatchObject({ status: "SETTLED", creditsCharged: expect.any(Number) });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).held).toBe(0);
    expect(await db.alert.count({ where: { vapiCallId: id, kind: "SETTLED_FROM_VAPI" } })).toBe(1);
    expect((await cursor()).getTime()).toBeGreaterThan(endedChange.getTime()); // nothing waits any more: on to the newest change
  });

  it("asks again for the end of a call that ignored it, though Vapi's record of it has not changed", async () => {
    const id = await attack();
    await reconcileOnce(db, rest, options, inAWhile(3));
    const row = await db.call.findUniqueOrThrow({ where: { vapiCallId: id } });
    // As if the notice's end-call had been lost: still live, end requested 10 s ago, nothing new at Vapi.
    await db.call.update({ where: { id: row.id }, data: { endCallSentAt: new Date(Date.now() - 10_000) } });
    await db.reconcilerCursor.update({ where: { name: "vapi-calls" }, data: { until: inAWhile(60) } });
    expect((await emulated(id)).status).toBe("in-progress");

    expect(await reconcileOnce(db, rest, options)).toMatchObject({ seen: 0, acted: 1 });
    expect((await emulated(id)).status).toBe("ended");
  });

  it("reads every page when more calls changed than one answer holds, the oldest call's latest change included", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await attack());
    await api.admin("POST", `/calls/${ids[0]}/hangup`); // the oldest call now has the newest change
    await reconcileOnce(db, rest, { ...options, pageSize: 2 }, inAWhile(65));
    expect(await db.call.count({ where: { vapiCallId: { in: ids.slice(1) }, status: "UNAUTHORIZED" } })).toBe(4);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: ids[0] } })).toMatchObject({
      status: "UNAUTHORIZED",
      settledAt: expect.any(Date),
    });
    expect(queries.length).toBeGreaterThanOrEqual(3);
  });
});
