import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { endOfCallReport, signedRequest, statusUpdate, webCall } from "@/test/server-messages";
import { startTestHttpServer, sendJson, type TestHttpServer } from "@/test/http-server";
import type { Db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { checkInvariants } from "@/lib/credits/invariants";
import type { Pricing } from "@/lib/credits/pricing";
import { signHmac } from "@/lib/vapi/verify";
import { log } from "@/lib/observability/log";
import { parseServerMessage } from "@/lib/vapi/messages";
import { receiveServerMessage, retryUnprocessedMessages } from "./inbox";
import { MessageAction, actionOf } from "./message-actions";
import { startCall } from "./start-call";

// A verified message whose action fails is kept and acted on later: on redelivery, or by the
// background retry. Failures are injected where lib/calls meets the database.

const SECRET = "at-least-once-webhook-secret";
const pricing: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 30 };
const config = appConfig({
  VAPI_ASSISTANT_ID: "coach-assistant",
  VAPI_PUBLIC_KEY: "pk",
  VAPI_WEBHOOK_SECRET: SECRET,
  START_TOKEN_SECRET: "at-least-once-start-secret",
});

let realDb: Db;
let control: TestHttpServer;
/**
 * Fails the next `n` database calls an action makes: an interactive transaction (where settlement
 * captures) or a plain statement (where authorization binds, with or without recording the
 * message), never the inbox's own bookkeeping (the event log's write, a retry's claim, a
 * failure's record).
 */
let failTransactions = 0;
let db: Db;
const injected = () => Promise.reject(new Error("injected: connection reset"));
beforeAll(async () => {
  ({ db: realDb } = await freshDb());
  const pool = new Proxy(realDb.pool, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== "query" || typeof value !== "function")
        return typeof value === "function" ? value.bind(target) : value;
      return (statement: { text?: string }, ...rest: unknown[]) => {
        const text = statement.text ?? "";
        // A statement that records messages and does their action (`done`) is the action's.
        const acts = text.includes('UPDATE "Reservation"') || text.includes("done AS (");
        const bookkeeping =
          !acts && (text.includes('INSERT INTO "WebhookEvent"') || text.startsWith('UPDATE "WebhookEvent"'));
        if (failTransactions > 0 && !bookkeeping) {
          failTransactions--;
          return injected();
        }
        return value.call(target, statement, ...rest);
      };
    },
  });
  db = new Proxy(realDb, {
    get(target, key) {
      if (key === "$transaction" && failTransactions > 0) {
        failTransactions--;
        return injected;
      }
      if (key === "pool") return pool;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  control = await startTestHttpServer((_req, res) => sendJson(res, 200, {}));
});
afterAll(() => control.close());
afterEach(async () => {
  failTransactions = 0;
  expect(await checkInvariants(realDb)).toEqual([]);
});

const deliver = (body: unknown, now = new Date()) =>
  receiveServerMessage({ db, config, pricing, now }, signedRequest(SECRET, body, now.getTime()));
const event = (vapiCallId: string, type: string) =>
  realDb.webhookEvent.findFirstOrThrow({ where: { vapiCallId, type } });
const callRow = (vapiCallId: string) => realDb.call.findUnique({ where: { vapiCallId } });

async function startedCall(credits: number) {
  const user = await userWithCredits(realDb, credits);
  const start = await startCall(realDb, { id: user.id, suspendedAt: null }, config, pricing);
  const call = webCall({ metadata: start.assistantOverrides.metadata });
  call.monitor = { controlUrl: `${control.url}/${call.id}/control`, listenUrl: "" };
  return { user, start, call };
}

describe("a message whose action fails", () => {
  it("is kept, answered 503, logged once, and acted on when Vapi delivers it again", async () => {
    const { start, call } = await startedCall(100);
    const errors = vi.spyOn(log, "error");
    // The statement that records the message and binds fails (the message is then recorded
    // alone), and so does the bind its action tries next.
    failTransactions = 2;
    const first = await deliver(statusUpdate(call, "in-progress"));
    expect(first.status).toBe(503);
    expect(await callRow(call.id)).toBeNull();
    expect(await event(call.id, "status-update")).toMatchObject({
      processedAt: null,
      attempts: 1,
      lastError: "injected: connection reset",
    });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0][0]).toMatchObject({ callId: call.id, messageType: "status-update" });
    errors.mockRestore();

    expect((await deliver(statusUpdate(call, "in-progress"))).status).toBe(200);
    expect(await callRow(call.id)).toMatchObject({ status: "ACTIVE", reservationId: start.reservation.id });
    expect(await event(call.id, "status-update")).toMatchObject({ attempts: 1, action: null, nextAttemptAt: null });
    expect((await event(call.id, "status-update")).processedAt).not.toBeNull();
  });

  it("is acted on by the background retry, after a backoff that grows, when nothing is delivered again", async () => {
    const { user, call } = await startedCall(100);
    const t0 = new Date();
    await deliver(statusUpdate(call, "in-progress"), t0);
    failTransactions = 2; // the report's settlement fails, and so does the first retry
    const at = (ms: number) => new Date(t0.getTime() + ms);
    expect((await deliver(endOfCallReport(call, { seconds: 30, startedAt: t0 }), at(31_000))).status).toBe(503);
    expect(await retryUnprocessedMessages({ db, config, pricing }, at(31_500))).toEqual({ claimed: 0, processed: 0 }); // not due yet
    expect(await retryUnprocessedMessages({ db, config, pricing }, at(32_000))).toEqual({ claimed: 1, processed: 0 });
    expect((await event(call.id, "end-of-call-report")).attempts).toBe(2);
    expect(await retryUnprocessedMessages({ db, config, pricing }, at(33_500))).toEqual({ claimed: 0, processed: 0 }); // 2 s after the 2nd failure
    expect(await retryUnprocessedMessages({ db, config, pricing }, at(34_000))).toEqual({ claimed: 1, processed: 1 });
    expect(await callRow(call.id)).toMatchObject({ status: "SETTLED", creditsCharged: 5, usedSeconds: 30 });
    expect(await realDb.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ available: 95, held: 0 });
    vi.restoreAllMocks();
  });

  it("is recorded alone when the statement that records it with its action fails, and its action then does it", async () => {
    const free = webCall({ metadata: { startToken: "forged" } });
    free.monitor = { controlUrl: `${control.url}/${free.id}/control`, listenUrl: "" };
    failTransactions = 1; // the statement that records the refused start and its call
    expect((await deliver(statusUpdate(free, "in-progress"))).status).toBe(200);
    expect(await callRow(free.id)).toMatchObject({ status: "UNAUTHORIZED", flag: "MISSING_TOKEN" });
    expect(await event(free.id, "status-update")).toMatchObject({ attempts: 0, action: null });
    const notices = control.requests.filter((r) => r.url === `/${free.id}/control`).map((r) => JSON.parse(r.body));
    expect(notices).toEqual([expect.objectContaining({ type: "say", endCallAfterSpoken: true })]);

    const { call } = await startedCall(100);
    await deliver(statusUpdate(call, "in-progress"));
    failTransactions = 1; // the statement that records the `ended` status and ends the call
    expect((await deliver(statusUpdate(call, "ended"))).status).toBe(200);
    expect(await callRow(call.id)).toMatchObject({ status: "ENDED" });
    expect((await event(call.id, "status-update")).processedAt).not.toBeNull();
  });

  it("that was half done when the process died is finished by the retry, without billing twice", async () => {
    const { user, call } = await startedCall(100);
    const t0 = new Date();
    await deliver(statusUpdate(call, "in-progress"), t0);
    const report = endOfCallReport(call, { seconds: 60, startedAt: t0 });
    await deliver(report, new Date(t0.getTime() + 61_000));
    // As if the process died after the settlement committed but before anything else: the row is pending again.
    await realDb.webhookEvent.updateMany({
      where: { vapiCallId: call.id, type: "end-of-call-report" },
      data: {
        processedAt: null,
        nextAttemptAt: t0,
        action: {
          kind: "settle",
          vapiCallId: call.id,
          metadata: call.assistantOverrides.metadata,
          durationSeconds: 60,
        },
      },
    });
    expect(await retryUnprocessedMessages({ db, config, pricing }, new Date(t0.getTime() + 120_000))).toEqual({
      claimed: 1,
      processed: 1,
    });
    expect(await realDb.ledgerEntry.count({ where: { userId: user.id, kind: "CAPTURE" } })).toBe(1);
    expect(await realDb.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ available: 90, held: 0 });
    expect((await event(call.id, "end-of-call-report")).processedAt).not.toBeNull();
  });
});

describe("signed but odd input", () => {
  it("refuses an end-of-call report lasting 1e308 seconds with 422, records it as invalid, and bills nothing", async () => {
    const { user, call } = await startedCall(100);
    await deliver(statusUpdate(call, "in-progress"));
    const report = endOfCallReport(call, { seconds: 10 });
    report.message.durationSeconds = 1e308;
    const reply = await deliver(report);
    expect(reply.status).toBe(422);
    expect(
      await realDb.webhookEvent.count({ where: { outcome: "INVALID", detail: { contains: "durationSeconds" } } }),
    ).toBeGreaterThan(0);
    expect(await callRow(call.id)).toMatchObject({ status: "ACTIVE", settledAt: null });
    expect(await realDb.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ held: 100 });
  });

  it("settles a report whose transcript and summary hold lone UTF-16 surrogates, with the surrogates replaced", async () => {
    const { call } = await startedCall(100);
    await deliver(statusUpdate(call, "in-progress"));
    const report = endOfCallReport(call, { seconds: 12 });
    report.message.analysis = { summary: "half a pair: \ud800 here" };
    report.message.artifact = { transcript: "User: \udc00 hi", messages: [] };
    expect((await deliver(report)).status).toBe(200);
    expect(await callRow(call.id)).toMatchObject({
      status: "SETTLED",
      summary: "half a pair: \ufffd here",
      transcript: "User: \ufffd hi",
    });
  });

  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  it.each([
    ["an array nested 10,000 deep", deep],
    [
      "a message with a field nested 10,000 deep",
      `{"message":{"type":"conversation-update","call":{"id":"deep"},"x":${deep}}}`,
    ],
    ["a message nested 10,000 deep in objects", `{"message":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`],
  ])("refuses %s with 422 instead of overflowing the stack, and records it as invalid", async (_name, rawBody) => {
    const now = Date.now();
    const headers = new Headers({ "x-timestamp": String(now), "x-signature": signHmac(SECRET, now, rawBody) });
    const before = await realDb.webhookEvent.count({ where: { outcome: "INVALID" } });
    const reply = await receiveServerMessage({ db, config, pricing }, { headers, rawBody, clientIp: "127.0.0.1" });
    expect(reply).toMatchObject({ status: 422, body: { error: "Body is nested deeper than 64 levels." } });
    expect(await realDb.webhookEvent.count({ where: { outcome: "INVALID" } })).toBe(before + 1);
  });
});

describe("a stored action", () => {
  it("reads back from its JSON for every kind of message, even a report of a call without start metadata", async () => {
    const bare = webCall({ controlUrl: "http://127.0.0.1:9/x/control" });
    const now = new Date();
    for (const body of [
      statusUpdate(bare, "in-progress"),
      statusUpdate(bare, "ended"),
      endOfCallReport(bare, { seconds: 3 }),
    ]) {
      const parsed = parseServerMessage(body);
      if (parsed.kind !== "message") throw new Error("fixture is not a message");
      const action = actionOf(parsed.message, now);
      expect(MessageAction.safeParse(JSON.parse(JSON.stringify(action))).success).toBe(true);
    }
  });
});
