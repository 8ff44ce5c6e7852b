import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { endOfCallReport, signedRequest, statusUpdate, webCall } from "@/test/server-messages";
import { startTestHttpServer, sendJson, type TestHttpServer } from "@/test/http-server";
import type { Db } from "@/lib/db/client";
import { appConfig, type AppConfig } from "@/lib/config";
import { checkInvariants } from "@/lib/credits/invariants";
import { creditsForSeconds, type Pricing } from "@/lib/credits/pricing";
import { grant } from "@/lib/credits/ledger";
import { receiveServerMessage } from "./inbox";
import { startCall } from "./start-call";
import { signStartToken } from "./start-token";
import { claimDueEndCalls, enforceOnce, GOODBYE, warning } from "./enforcer";
import { UNAUTHORIZED_NOTICE, authorizeCall } from "./authorize";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { coachCallState } from "./call-state";
import { END_CALL_LEASE_SECONDS } from "./timing";

const SECRET = "webhook-secret-for-tests";
const pricing: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 30 };
const config: AppConfig = appConfig({
  VAPI_ASSISTANT_ID: "coach-assistant",
  VAPI_PUBLIC_KEY: "pk",
  VAPI_WEBHOOK_SECRET: SECRET,
  VAPI_WEBHOOK_AUTH: "hmac",
  START_TOKEN_SECRET: "start-token-secret-for-tests",
});

let db: Db;
let control: TestHttpServer;
beforeAll(async () => {
  ({ db } = await freshDb());
  control = await startTestHttpServer((_req, res) => sendJson(res, 200, {}));
});
afterAll(() => control.close());
afterEach(async () => expect(await checkInvariants(db)).toEqual([]));

const deliver = (body: unknown, now?: Date) =>
  receiveServerMessage({ db, config, pricing, now }, signedRequest(SECRET, body));
const controlBodies = (callId: string) =>
  control.requests.filter((r) => r.url.startsWith(`/${callId}/`)).map((r) => JSON.parse(r.body));
const balance = (id: string) => db.user.findUniqueOrThrow({ where: { id }, select: { available: true, held: true } });

async function startedCall(credits: number) {
  const user = await userWithCredits(db, credits);
  const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
  const call = webCall({ metadata: start.assistantOverrides.metadata });
  call.monitor = { controlUrl: `${control.url}/${call.id}/control`, listenUrl: "" };
  return { user, start, call };
}

describe("a paid call", () => {
  it("starts with one statement, which records its message, processed, and binds; starts that come together share it", async () => {
    const paid = await Promise.all([1, 2, 3, 4, 5].map(() => startedCall(40)));
    const suspended = await startedCall(40);
    await db.user.update({
      where: { id: suspended.user.id },
      data: { suspendedAt: new Date(), suspendedReason: "test" },
    });
    const calls = [...paid.map((p) => p.call), suspended.call];
    const query = vi.spyOn(db.pool, "query");
    const replies = await Promise.all(calls.map((c) => deliver(statusUpdate(c, "in-progress"))));
    const statements = query.mock.calls.map(([q]) => String((q as { text?: string }).text));
    query.mockRestore();
    expect(replies.map((r) => r.status)).toEqual(calls.map(() => 200));
    // The first start goes alone; the five that come while it runs share the next statement.
    const recordAndBind = statements.filter(
      (t) => t.includes('INSERT INTO "WebhookEvent"') && t.includes('UPDATE "Reservation"'),
    );
    expect(recordAndBind).toHaveLength(2);
    // The suspended account's start was not bound there: its action decided it, as it does any start.
    expect(statements.filter((t) => t.includes('UPDATE "Reservation"'))).toHaveLength(3);
    for (const p of paid) {
      expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: p.call.id } })).toMatchObject({
        status: "ACTIVE",
        reservationId: p.start.reservation.id,
      });
      expect(controlBodies(p.call.id)).toEqual([]);
    }
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: suspended.call.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      flag: "SUSPENDED",
    });
    const events = await db.webhookEvent.findMany({ where: { vapiCallId: { in: calls.map((c) => c.id) } } });
    expect(events).toHaveLength(calls.length);
    for (const e of events) expect(e).toMatchObject({ action: null, nextAttemptAt: null, attempts: 0 });
    expect(events.every((e) => e.processedAt?.getTime() === e.receivedAt.getTime())).toBe(true);

    // Sent again, a start changes nothing: it is a duplicate, and no second call or bind is made.
    const again = await deliver(statusUpdate(paid[0].call, "in-progress"));
    expect(again).toMatchObject({ status: 200, outcome: "duplicate" });
    expect(await db.call.count({ where: { reservationId: paid[0].start.reservation.id } })).toBe(1);
    await Promise.all(calls.map((c) => deliver(endOfCallReport(c, { seconds: 1 }))));
  });

  it("is authorized, bound to its reservation and billed once from the report", async () => {
    const { user, start, call } = await startedCall(100);
    expect(start.reservation).toMatchObject({ credits: 100, seconds: 600 });
    expect(start.assistantOverrides.maxDurationSeconds).toBe(610);
    expect((await deliver(statusUpdate(call, "in-progress"))).status).toBe(200);
    const active = await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } });
    expect(active).toMatchObject({ status: "ACTIVE", reservationId: start.reservation.id, userId: user.id });
    expect(active.cutoffAt!.getTime() - active.startedAt.getTime()).toBe(600_000);
    expect(active.warnAt!.getTime()).toBe(active.cutoffAt!.getTime() - 60_000);

    await deliver(statusUpdate(call, "ended", { endedReason: "customer-ended-call" }));
    const report = endOfCallReport(call, { seconds: 61.2 });
    await deliver(report);
    await deliver(report);
    const settled = await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } });
    expect(settled).toMatchObject({
      status: "SETTLED",
      usedSeconds: 62,
      creditsCharged: 11,
      endedReason: "customer-ended-call",
      summary: "A good talk.",
    });
    expect(await balance(user.id)).toEqual({ available: 89, held: 0 });
    expect(await db.ledgerEntry.count({ where: { reservationId: start.reservation.id, kind: "CAPTURE" } })).toBe(1);
  });

  it("is billed from its report, each call its own capture, when the reports of several calls arrive at once", async () => {
    const started = await Promise.all(
      [10, 20, 30, 45, 61].map(async (seconds) => ({ seconds, ...(await startedCall(40)) })),
    );
    for (const { call } of started) await deliver(statusUpdate(call, "in-progress"));
    const free = webCall({ metadata: { userId: "nobody", startToken: "forged" } });
    free.monitor = { controlUrl: `${control.url}/${free.id}/control`, listenUrl: "" };
    await deliver(statusUpdate(free, "in-progress"));
    const replies = await Promise.all([
      ...started.map(({ call, seconds }) => deliver(endOfCallReport(call, { seconds }))),
      deliver(endOfCallReport(free, { seconds: 7 })),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const { user, call, seconds } of started) {
      const charged = creditsForSeconds(seconds, pricing);
      expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
        status: "SETTLED",
        usedSeconds: seconds,
        creditsCharged: charged,
      });
      expect(await balance(user.id)).toEqual({ available: 40 - charged, held: 0 });
    }
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: free.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      usedSeconds: 7,
      creditsCharged: 0,
    });
    expect(await db.alert.findFirst({ where: { vapiCallId: free.id } })).toMatchObject({ seconds: 7 });
    expect(await db.webhookEvent.count({ where: { type: "end-of-call-report", processedAt: null } })).toBe(0);
  });

  it("is billed once when the report arrives before the start and then twice more", async () => {
    const { user, call } = await startedCall(50);
    const report = endOfCallReport(call, { seconds: 30 });
    await Promise.all([deliver(report), deliver(report)]);
    await deliver(statusUpdate(call, "in-progress"));
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      status: "SETTLED",
      creditsCharged: 5,
    });
    expect(await balance(user.id)).toEqual({ available: 45, held: 0 });
  });
});

describe("the coach's getRemainingCredits tool", () => {
  const toolCalls = (call: ReturnType<typeof webCall>, id: string) => ({
    message: {
      type: "tool-calls",
      timestamp: Date.now(),
      call,
      toolCallList: [
        { id, type: "function", function: { name: "getRemainingCredits", arguments: {} } },
        { id: `${id}-other`, type: "function", function: { name: "bookFlight", arguments: {} } },
      ],
    },
  });

  it("tells the time and credits left in a paid call, answers a redelivery again, and records the message once", async () => {
    const { user, call } = await startedCall(40); // all 40 held: four minutes, nothing left in the balance
    const t0 = new Date();
    await deliver(statusUpdate(call, "in-progress"), t0);
    await grant(db, { userId: user.id, credits: 7, actor: "test", reason: "top-up mid-call", idempotencyKey: call.id });
    const ask = toolCalls(call, "t1");
    const later = new Date(t0.getTime() + 90_000); // 150 s of the 240 left
    const replies = await Promise.all([deliver(ask, later), deliver(ask, later)]);
    for (const reply of replies)
      expect(reply).toMatchObject({
        status: 200,
        body: {
          results: [
            {
              toolCallId: "t1",
              result: expect.stringMatching(
                /^The caller has about 2 minutes left in this call \(worth 25 credits\), and 7 more credits/,
              ),
            },
            { toolCallId: "t1-other", error: "Unknown tool bookFlight." },
          ],
        },
      });
    expect(replies.map((r) => r.outcome).sort()).toEqual(["accepted", "duplicate"]);
    expect(await db.webhookEvent.count({ where: { vapiCallId: call.id, type: "tool-calls" } })).toBe(1);
  });

  it("answers that a call it holds no paid record of is not a paid call", async () => {
    const free = webCall({ metadata: { startToken: "forged" } });
    const reply = await deliver(toolCalls(free, "t2"));
    expect(reply.body).toEqual({
      results: [
        { toolCallId: "t2", error: "This call is not a paid call." },
        { toolCallId: "t2-other", error: "Unknown tool bookFlight." },
      ],
    });
  });
});

describe("the records of a call", () => {
  it("are read and written in UTC, whatever the server's time zone", async () => {
    const { start, call } = await startedCall(40);
    const startedAt = new Date(Date.now() - 1234);
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Tokyo";
    try {
      const sighting = { vapiCallId: call.id, metadata: start.assistantOverrides.metadata, startedAt, live: false };
      const first = await authorizeCall(db, sighting, config.startTokenSecret);
      const again = await authorizeCall(db, sighting, config.startTokenSecret);
      expect([first.fresh, again.fresh]).toEqual([true, false]);
      expect(first.call.startedAt.getTime()).toBe(startedAt.getTime());
      expect(again.call.cutoffAt!.getTime()).toBe(startedAt.getTime() + start.reservation.seconds * 1000);
      await deliver(endOfCallReport(call, { seconds: 1 }));
    } finally {
      process.env.TZ = zone;
    }
    const row = await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } });
    expect(row.startedAt.getTime()).toBe(startedAt.getTime());
    const recent = (at: Date | null) => Math.abs(at!.getTime() - Date.now()) < 60_000;
    expect([row.createdAt, row.settledAt].map(recent)).toEqual([true, true]);
    const entries = await db.ledgerEntry.findMany({ where: { reservationId: start.reservation.id } });
    expect(entries.map((e) => recent(e.createdAt))).toEqual(entries.map(() => true));
    const reservation = await db.reservation.findUniqueOrThrow({ where: { id: start.reservation.id } });
    expect(recent(reservation.closedAt)).toBe(true);
  });
});

describe("a call without a valid start", () => {
  it("is recorded with its alert by the statement that records its message, and told to end once however often it is sent", async () => {
    const free = webCall({ metadata: { startToken: "forged" } });
    free.monitor = { controlUrl: `${control.url}/${free.id}/control`, listenUrl: "" };
    const query = vi.spyOn(db.pool, "query");
    const replies = await Promise.all([1, 2].map(() => deliver(statusUpdate(free, "in-progress"))));
    replies.push(await deliver(statusUpdate(free, "in-progress")));
    const statements = query.mock.calls.map(([q]) => String((q as { text?: string }).text));
    query.mockRestore();
    expect(replies.map((r) => r.outcome).sort()).toEqual(["accepted", "duplicate", "duplicate"]);
    expect(statements.every((t) => t.includes('INSERT INTO "WebhookEvent"'))).toBe(true);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: free.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      flag: "MISSING_TOKEN",
      userId: null,
    });
    expect(await db.alert.findMany({ where: { vapiCallId: free.id } })).toEqual([
      expect.objectContaining({ kind: "UNAUTHORIZED_CALL", message: "Call without a valid start (MISSING_TOKEN)." }),
    ]);
    const event = await db.webhookEvent.findFirstOrThrow({ where: { vapiCallId: free.id } });
    expect(event).toMatchObject({ action: null, nextAttemptAt: null, attempts: 0, processedAt: event.receivedAt });
    expect(controlBodies(free.id)).toEqual([{ type: "say", content: UNAUTHORIZED_NOTICE, endCallAfterSpoken: true }]);
    await deliver(endOfCallReport(free, { seconds: 2 }));
  });

  it("binds a start to one call only: of three calls carrying it at once, one is paid and two are replays", async () => {
    const { start } = await startedCall(40);
    const calls = [1, 2, 3].map(() => webCall({ metadata: start.assistantOverrides.metadata }));
    await Promise.all(calls.map((c) => deliver(statusUpdate(c, "in-progress"))));
    const rows = await db.call.findMany({ where: { vapiCallId: { in: calls.map((c) => c.id) } } });
    expect(rows.map((r) => r.flag ?? r.status).sort()).toEqual(["ACTIVE", "REPLAYED_TOKEN", "REPLAYED_TOKEN"]);
    const paid = rows.find((r) => r.status === "ACTIVE")!;
    expect(await db.reservation.findUniqueOrThrow({ where: { id: start.reservation.id } })).toMatchObject({
      vapiCallId: paid.vapiCallId,
    });
    await Promise.all(calls.map((c) => deliver(endOfCallReport(c, { seconds: 1 }))));
  });

  it("binds the calls that start together in one statement: each to its own reservation, a reservation named twice once, a suspended account's none", async () => {
    const paid = await Promise.all([1, 2, 3, 4].map(() => startedCall(40)));
    const suspended = await startedCall(40);
    await db.user.update({
      where: { id: suspended.user.id },
      data: { suspendedAt: new Date(), suspendedReason: "test" },
    });
    const replayed = await startedCall(40);
    const twin = webCall({ metadata: replayed.start.assistantOverrides.metadata });
    const calls = [...paid.map((p) => p.call), suspended.call, replayed.call, twin];
    const sighting = (c: (typeof calls)[number]) => ({
      vapiCallId: c.id,
      controlUrl: `${control.url}/${c.id}/control`,
      metadata: c.assistantOverrides!.metadata,
      startedAt: new Date(),
      live: true,
    });
    const query = vi.spyOn(db.pool, "query");
    // The first bind goes alone; the six that come while it runs share the next statement.
    await Promise.all(calls.map((c) => authorizeCall(db, sighting(c), config.startTokenSecret)));
    const binds = query.mock.calls.filter(([q]) =>
      String((q as { text?: string }).text).includes('UPDATE "Reservation" r'),
    );
    query.mockRestore();
    expect(binds).toHaveLength(2);
    const rows = await db.call.findMany({ where: { vapiCallId: { in: calls.map((c) => c.id) } } });
    const byCall = new Map(rows.map((r) => [r.vapiCallId, r]));
    for (const p of paid) {
      expect(byCall.get(p.call.id)).toMatchObject({ status: "ACTIVE", reservationId: p.start.reservation.id });
      expect(await db.reservation.findUniqueOrThrow({ where: { id: p.start.reservation.id } })).toMatchObject({
        vapiCallId: p.call.id,
      });
    }
    expect(byCall.get(suspended.call.id)).toMatchObject({ status: "UNAUTHORIZED", flag: "SUSPENDED" });
    const twins = [byCall.get(replayed.call.id)!, byCall.get(twin.id)!];
    expect(twins.map((r) => r.flag ?? r.status).sort()).toEqual(["ACTIVE", "REPLAYED_TOKEN"]);
    expect(await db.reservation.findUniqueOrThrow({ where: { id: replayed.start.reservation.id } })).toMatchObject({
      vapiCallId: twins.find((r) => r.status === "ACTIVE")!.vapiCallId,
    });
    expect(controlBodies(suspended.call.id)).toEqual([
      { type: "say", content: UNAUTHORIZED_NOTICE, endCallAfterSpoken: true },
    ]);
    await Promise.all(calls.map((c) => deliver(endOfCallReport(c, { seconds: 1 }))));
  });

  it("is told to end, then ended once, with no credits moved", async () => {
    const { user, start, call } = await startedCall(40);
    await deliver(statusUpdate(call, "in-progress"));
    const replay = webCall({ metadata: start.assistantOverrides.metadata });
    replay.monitor = { controlUrl: `${control.url}/${replay.id}/control`, listenUrl: "" };
    const t0 = new Date();
    await deliver(statusUpdate(replay, "in-progress"), t0);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: replay.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      flag: "REPLAYED_TOKEN",
      userId: user.id,
    });
    expect(controlBodies(replay.id)).toEqual([{ type: "say", content: UNAUTHORIZED_NOTICE, endCallAfterSpoken: true }]);

    const later = new Date(t0.getTime() + 2000);
    await Promise.all([enforceOnce(db, {}, later), enforceOnce(db, {}, later)]);
    expect(controlBodies(replay.id)).toEqual([
      { type: "say", content: UNAUTHORIZED_NOTICE, endCallAfterSpoken: true },
      { type: "end-call" },
    ]);
    await deliver(endOfCallReport(replay, { seconds: 3 }));
    expect(await db.alert.findFirst({ where: { vapiCallId: replay.id } })).toMatchObject({
      kind: "UNAUTHORIZED_CALL",
      seconds: 3,
    });
    expect(await balance(user.id)).toEqual({ available: 0, held: 40 });
  });

  it("hears the notice once, however many processes take its first messages at once", async () => {
    const call = webCall({ metadata: { userId: "nobody", startToken: "forged" } });
    const controlUrl = `${control.url}/${call.id}/control`;
    const sighting = {
      vapiCallId: call.id,
      controlUrl,
      metadata: { startToken: "forged" },
      startedAt: new Date(),
      live: true,
    };
    const decided = await Promise.all([1, 2, 3].map(() => authorizeCall(db, sighting, config.startTokenSecret)));
    expect(decided.map((d) => d.fresh).sort()).toEqual([false, false, true]);
    expect(await authorizeCall(db, sighting, config.startTokenSecret)).toMatchObject({ fresh: false });
    expect(controlBodies(call.id)).toEqual([{ type: "say", content: UNAUTHORIZED_NOTICE, endCallAfterSpoken: true }]);
    expect(await db.alert.count({ where: { vapiCallId: call.id } })).toBe(1);
  });

  it("is settled once when its report reaches several processes at once: its seconds count once as leakage", async () => {
    const call = webCall({ metadata: { userId: "nobody", startToken: "forged" } });
    call.monitor = { controlUrl: `${control.url}/${call.id}/control`, listenUrl: "" };
    await deliver(statusUpdate(call, "in-progress"));
    const leaked = async () =>
      (await metrics.unauthorizedCallSeconds.get()).values.reduce((sum, v) => sum + v.value, 0);
    const before = await leaked();
    const report = endOfCallReport(call, { seconds: 7 });
    await Promise.all([deliver(report), deliver(report), deliver(report), deliver(report)]);
    expect(await leaked()).toBe(before + 7);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      usedSeconds: 7,
    });
  });

  it("is unauthorized when its account was suspended after the start token was issued", async () => {
    const { user, start, call } = await startedCall(30);
    await db.user.update({ where: { id: user.id }, data: { suspendedAt: new Date(), suspendedReason: "test" } });
    await deliver(statusUpdate(call, "in-progress"));
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      flag: "SUSPENDED",
      userId: user.id,
    });
    expect(controlBodies(call.id)).toEqual([{ type: "say", content: UNAUTHORIZED_NOTICE, endCallAfterSpoken: true }]);
    expect(await db.reservation.findUniqueOrThrow({ where: { id: start.reservation.id } })).toMatchObject({
      status: "HELD",
      vapiCallId: null,
    });
  });

  it.each([
    ["missing", undefined, "MISSING_TOKEN"],
    [
      "forged",
      {
        userId: "u",
        reservationId: "r",
        startToken: signStartToken("not-our-secret", {
          userId: "u",
          reservationId: "r",
          expiresAt: new Date(Date.now() + 60_000),
        }),
      },
      "BAD_SIGNATURE",
    ],
    [
      "expired",
      {
        userId: "u",
        reservationId: "r",
        startToken: signStartToken("start-token-secret-for-tests", {
          userId: "u",
          reservationId: "r",
          expiresAt: new Date(Date.now() - 1000),
        }),
      },
      "EXPIRED_TOKEN",
    ],
  ])("is unauthorized when the token is %s", async (_name, metadata, flag) => {
    const call = webCall({ metadata, controlUrl: `${control.url}/x/control` });
    await deliver(statusUpdate(call, "in-progress"));
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      flag,
    });
  });
});

describe("the enforcer", () => {
  it("warns, says goodbye and ends the call at the cutoff, each once", async () => {
    const { call } = await startedCall(14);
    await deliver(statusUpdate(call, "in-progress"));
    const row = await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } });
    expect(row.warnAt).toBeNull();
    const at = (ms: number) => new Date(row.cutoffAt!.getTime() + ms);
    await enforceOnce(db, {}, at(-10_000));
    expect(controlBodies(call.id)).toEqual([]);
    await enforceOnce(db, {}, at(-4_000));
    await enforceOnce(db, {}, at(-3_000));
    expect(controlBodies(call.id)).toEqual([{ type: "say", content: GOODBYE, endCallAfterSpoken: true }]);
    await enforceOnce(db, {}, at(0));
    await enforceOnce(db, {}, at(500));
    expect(controlBodies(call.id).at(-1)).toEqual({ type: "end-call" });
    expect(controlBodies(call.id)).toHaveLength(2);
  });

  it("warns a minute before the cutoff of a longer call", async () => {
    const { call } = await startedCall(100);
    await deliver(statusUpdate(call, "in-progress"));
    const row = await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } });
    await enforceOnce(db, {}, row.warnAt!);
    expect(controlBodies(call.id)).toEqual([{ type: "say", content: warning(), endCallAfterSpoken: false }]);
  });

  it("tells the caller's page about the warning once the coach has been asked to say it", async () => {
    const { user, start, call } = await startedCall(100);
    await deliver(statusUpdate(call, "in-progress"));
    const row = await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } });
    const page = () => coachCallState(db, user.id, start.reservation.id, row.warnAt!);
    expect(await page()).toMatchObject({ phase: "live", warning: null });
    await enforceOnce(db, {}, row.warnAt!);
    expect(await page()).toMatchObject({ phase: "live", warning: warning() });
  });

  it("expires a reservation whose call never started, once its expiresAt passes", async () => {
    const { user, start } = await startedCall(30);
    await enforceOnce(db, {}, new Date(Date.parse(start.reservation.expiresAt) + 1));
    expect(await balance(user.id)).toEqual({ available: 30, held: 0 });
    expect(await db.reservation.findUniqueOrThrow({ where: { id: start.reservation.id } })).toMatchObject({
      status: "EXPIRED",
    });
  });
});

describe("an end-call whose claim was taken by a process that died before sending it", () => {
  const LEASE_MS = END_CALL_LEASE_SECONDS * 1000;
  const endCalls = (callId: string) => controlBodies(callId).filter((b) => b.type === "end-call");
  const after = (at: Date, ms: number) => new Date(at.getTime() + ms);

  /** The calls' end-calls fall due and are claimed (the claim commits); the process is gone before its POST. */
  async function claimedThenDied(...vapiCallIds: string[]) {
    const rows = await db.call.findMany({ where: { vapiCallId: { in: vapiCallIds } } });
    const claimedAt = new Date(Math.max(...rows.map((row) => row.endCallDueAt!.getTime())));
    const claimed = (await claimDueEndCalls(db, claimedAt)).map((c) => c.vapiCallId);
    expect(claimed).toEqual(expect.arrayContaining(vapiCallIds));
    return claimedAt;
  }
  async function liveCall() {
    const { call } = await startedCall(6);
    await deliver(statusUpdate(call, "in-progress"));
    return call;
  }

  it("is sent again once its lease has passed, once, and not before", async () => {
    const call = await liveCall();
    const claimedAt = await claimedThenDied(call.id);
    const warn = vi.spyOn(log, "warn");
    const resends = async () => (await metrics.endCallResends.get()).values[0]?.value ?? 0;
    const resentBefore = await resends();

    await enforceOnce(db, {}, after(claimedAt, LEASE_MS - 1));
    expect(endCalls(call.id)).toEqual([]);
    await enforceOnce(db, {}, after(claimedAt, LEASE_MS));
    await enforceOnce(db, {}, after(claimedAt, LEASE_MS + 250));
    await enforceOnce(db, {}, after(claimedAt, 2 * LEASE_MS - 1));
    expect(endCalls(call.id)).toEqual([{ type: "end-call" }]);
    // Calls other tests left live are sent again too, so the counter moves by at least this one.
    expect(await resends()).toBeGreaterThan(resentBefore);
    expect(warn.mock.calls.filter(([fields]) => (fields as { callId?: string }).callId === call.id)).toEqual([
      [{ callId: call.id, secondsSinceLastClaim: END_CALL_LEASE_SECONDS }, expect.any(String)],
    ]);
    warn.mockRestore();
  });

  it("is sent again once when two processes find the lapsed claim at the same moment", async () => {
    const call = await liveCall();
    const claimedAt = await claimedThenDied(call.id);
    await Promise.all([
      enforceOnce(db, {}, after(claimedAt, LEASE_MS)),
      enforceOnce(db, {}, after(claimedAt, LEASE_MS)),
    ]);
    expect(endCalls(call.id)).toEqual([{ type: "end-call" }]);
  });

  it("gives the claims of end-calls nobody answered back, so the next pass sends them again", async () => {
    const calls = [await liveCall(), await liveCall()];
    const ids = calls.map((call) => call.id);
    // Vapi does not answer: nothing listens where their control URLs point.
    await db.call.updateMany({
      where: { vapiCallId: { in: ids } },
      data: { controlUrl: "http://127.0.0.1:9/control" },
    });
    const rows = await db.call.findMany({ where: { vapiCallId: { in: ids } } });
    const dueAt = new Date(Math.max(...rows.map((row) => row.endCallDueAt!.getTime())));
    await enforceOnce(db, { timeoutMs: 500 }, dueAt);
    const claims = await db.call.findMany({ where: { vapiCallId: { in: ids } }, select: { endCallSentAt: true } });
    expect(claims).toEqual([{ endCallSentAt: null }, { endCallSentAt: null }]);
    const next = await claimDueEndCalls(db, after(dueAt, 250));
    expect(next.map((c) => c.vapiCallId)).toEqual(expect.arrayContaining(ids));
  });

  it("backs off when the call never ends: sent again after 10 s, 10 s, 20 s, 40 s", async () => {
    const call = await liveCall();
    const dueAt = await claimedThenDied(call.id);
    const sentBy = async (ms: number) => {
      await enforceOnce(db, {}, after(dueAt, ms));
      return endCalls(call.id).length;
    };
    expect(await sentBy(LEASE_MS)).toBe(1);
    expect(await sentBy(2 * LEASE_MS)).toBe(2);
    expect(await sentBy(4 * LEASE_MS - 1)).toBe(2);
    expect(await sentBy(4 * LEASE_MS)).toBe(3);
    expect(await sentBy(8 * LEASE_MS - 1)).toBe(3);
    expect(await sentBy(8 * LEASE_MS)).toBe(4);
  });

  it("is not sent again once the call has ended, paid or unauthorized; a live one is", async () => {
    const paid = await liveCall();
    const unauthorized = webCall();
    unauthorized.monitor = { controlUrl: `${control.url}/${unauthorized.id}/control`, listenUrl: "" };
    await deliver(statusUpdate(unauthorized, "in-progress"));
    const live = await liveCall();
    const claimedAt = await claimedThenDied(paid.id, unauthorized.id, live.id);
    for (const call of [paid, unauthorized])
      await deliver(statusUpdate(call, "ended", { endedReason: "customer-ended-call" }));
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: unauthorized.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      endedAt: expect.any(Date),
    });

    await enforceOnce(db, {}, after(claimedAt, LEASE_MS));
    await enforceOnce(db, {}, after(claimedAt, 3 * LEASE_MS));
    expect([paid, unauthorized, live].map((call) => endCalls(call.id).length)).toEqual([0, 0, 2]);
  });
});

describe("starting", () => {
  it("refuses a suspended user and holds nothing", async () => {
    const user = await userWithCredits(db, 30);
    await expect(startCall(db, { id: user.id, suspendedAt: new Date() }, config, pricing)).rejects.toMatchObject({
      code: "suspended",
    });
    expect(await balance(user.id)).toEqual({ available: 30, held: 0 });
  });

  it("refuses a second start while a call is held", async () => {
    const { user } = await startedCall(30);
    await expect(startCall(db, { id: user.id, suspendedAt: null }, config, pricing)).rejects.toMatchObject({
      code: "already-in-call",
    });
  });
});
