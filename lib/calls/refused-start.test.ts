import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AccessDenied } from "@/lib/auth/roles";
import { appConfig } from "@/lib/config";
import { checkInvariants } from "@/lib/credits/invariants";
import type { Pricing } from "@/lib/credits/pricing";
import type { Db } from "@/lib/db/client";
import { busyLines } from "@/lib/dashboard/refused-starts";
import { createVapiRestClient, type VapiRestClient } from "@/lib/vapi/rest";
import { asCurrentUser } from "@/test/dashboard-fixtures";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { signedRequest, statusUpdate, webCall } from "@/test/server-messages";
import { startVapiEmulator, type RunningEmulator } from "@/vapi-emulator/server";
import { apiClient, ASSISTANT_ID, fastConfig, KEYS } from "@/vapi-emulator/test/support";
import { giveUpStart } from "./call-state";
import { receiveServerMessage } from "./inbox";
import { reconcileOnce } from "./reconciler";
import { LINES_BUSY } from "./refused-start";
import { startCall } from "./start-call";

// Vapi (the emulator) refuses calls at its concurrency limit of one line; it sends no webhooks here,
// so each test delivers the messages Vapi sends for a refused call itself, when it wants them.
const SECRET = "refused-start-webhook-secret";
const pricing: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 30 };
const config = appConfig({
  VAPI_ASSISTANT_ID: ASSISTANT_ID,
  VAPI_PUBLIC_KEY: KEYS.publicKey,
  VAPI_WEBHOOK_SECRET: SECRET,
  VAPI_WEBHOOK_AUTH: "hmac",
  START_TOKEN_SECRET: "refused-start-token-secret",
});

let db: Db;
let emulator: RunningEmulator;
let api: ReturnType<typeof apiClient>;
let rest: VapiRestClient;
let vapi: Parameters<typeof giveUpStart>[1];
beforeAll(async () => {
  ({ db } = await freshDb());
  emulator = await startVapiEmulator(fastConfig(undefined, { concurrencyLimit: 1, customerJoinTimeoutSeconds: 3600 }));
  api = apiClient(emulator);
  rest = createVapiRestClient({ apiBaseUrl: emulator.url, privateKey: KEYS.privateKey });
  vapi = { rest, startTokenSecret: config.startTokenSecret, pricing };
  await api.createCall(); // holds the one line for the whole file: every start below is refused
});
afterAll(() => emulator.close());
afterEach(async () => expect(await checkInvariants(db)).toEqual([]));

const deliver = (body: unknown) => receiveServerMessage({ db, config, pricing }, signedRequest(SECRET, body));
const balance = (id: string) => db.user.findUniqueOrThrow({ where: { id }, select: { available: true, held: true } });
const entries = (reservationId: string) =>
  db.ledgerEntry.findMany({ where: { reservationId }, orderBy: { id: "asc" }, select: { kind: true, reason: true } });

/** A user who reserved credits, and the call Vapi created for that start and refused at once. */
async function refusedStart(credits = 100) {
  const user = await userWithCredits(db, credits);
  const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
  const created = await api.createCall({ overrides: start.assistantOverrides });
  expect(created.body).toMatchObject({ status: "ended", endedReason: LINES_BUSY });
  const call = webCall({ id: String(created.body.id), metadata: start.assistantOverrides.metadata });
  return { user, start, reservationId: start.reservation.id, vapiCallId: call.id, call };
}

/** The end-of-call report of a call that never started, as the emulator sends it (no startedAt, 0 s, cost 0). */
const refusalReport = (call: ReturnType<typeof webCall>, endedReason = LINES_BUSY) => ({
  message: {
    type: "end-of-call-report",
    timestamp: Date.now(),
    call,
    endedReason,
    endedAt: new Date().toISOString(),
    durationMs: 0,
    durationSeconds: 0,
    cost: 0,
  },
});

describe("a start Vapi refused because all lines were busy", () => {
  it("the page's give-up, with the id Vapi gave the call, releases the credits at once with that reason, and says so", async () => {
    const { user, reservationId, vapiCallId } = await refusedStart();
    expect(await balance(user.id)).toEqual({ available: 0, held: 100 });

    const givenUp = await giveUpStart(db, vapi, { userId: user.id, reservationId, vapiCallId });
    expect(givenUp).toMatchObject({ linesBusy: true, state: { phase: "released", balance: 100, held: 0 } });
    expect(await balance(user.id)).toEqual({ available: 100, held: 0 });
    expect(await entries(reservationId)).toEqual([
      { kind: "HOLD", reason: null },
      { kind: "RELEASE", reason: "all lines were busy (Vapi's concurrency limit)" },
    ]);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId } })).toMatchObject({
      userId: user.id,
      reservationId: null,
      status: "SETTLED",
      endedReason: LINES_BUSY,
      usedSeconds: 0,
      creditsCharged: 0,
    });

    // Again (a double click, a retry), and then Vapi's own messages about the call: nothing more happens.
    expect(await giveUpStart(db, vapi, { userId: user.id, reservationId, vapiCallId })).toMatchObject({
      linesBusy: true,
    });
    const call = webCall({ id: vapiCallId, metadata: { reservationId } });
    expect((await deliver(statusUpdate(call, "ended", { endedReason: LINES_BUSY }))).status).toBe(200);
    expect((await deliver(refusalReport(call))).status).toBe(200);
    expect(await entries(reservationId)).toHaveLength(2);
    expect(await balance(user.id)).toEqual({ available: 100, held: 0 });
    expect(await db.call.count({ where: { vapiCallId } })).toBe(1);
    expect(await db.alert.count({ where: { vapiCallId } })).toBe(0);
  });

  it("when Vapi's report comes first, it releases the reservation with no charge and no unauthorized alert; the page still hears why", async () => {
    const { user, reservationId, vapiCallId, call } = await refusedStart(40);
    expect((await deliver(statusUpdate(call, "ended", { endedReason: LINES_BUSY }))).status).toBe(200);
    expect((await deliver(refusalReport(call))).status).toBe(200);
    expect(await balance(user.id)).toEqual({ available: 40, held: 0 });
    expect(await entries(reservationId)).toEqual([
      { kind: "HOLD", reason: null },
      { kind: "RELEASE", reason: "all lines were busy (Vapi's concurrency limit)" },
    ]);
    expect(await db.alert.count({ where: { vapiCallId } })).toBe(0);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId } })).toMatchObject({
      userId: user.id,
      status: "SETTLED",
      creditsCharged: 0,
    });

    const withoutVapi = { ...vapi, rest: null };
    const givenUp = await giveUpStart(db, withoutVapi, { userId: user.id, reservationId, vapiCallId });
    expect(givenUp).toMatchObject({ linesBusy: true, state: { phase: "released", balance: 40, held: 0 } });
    expect(await entries(reservationId)).toHaveLength(2);
  });

  it("when no report comes and the page is gone, the reconciler records it from Vapi's record: credits back, no alert", async () => {
    const { user, reservationId, vapiCallId } = await refusedStart(60);
    const options = { assistantId: ASSISTANT_ID, startTokenSecret: config.startTokenSecret, pricing };
    await reconcileOnce(
      db,
      rest,
      { ...options, settleGraceSeconds: 1, lookbackMinutes: 60 },
      new Date(Date.now() + 5_000),
    );
    expect(await balance(user.id)).toEqual({ available: 60, held: 0 });
    expect(await entries(reservationId)).toEqual([
      { kind: "HOLD", reason: null },
      { kind: "RELEASE", reason: "all lines were busy (Vapi's concurrency limit)" },
    ]);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId } })).toMatchObject({
      status: "SETTLED",
      endedReason: LINES_BUSY,
    });
    expect(await db.alert.count({ where: { vapiCallId } })).toBe(0);
  });

  it("a report of a refusal that names no valid start is recorded, not treated as an unauthorized call", async () => {
    const call = webCall({ id: `refused-${Date.now()}`, metadata: { startToken: "forged" } });
    expect((await deliver(refusalReport(call))).status).toBe(200);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      userId: null,
      status: "SETTLED",
      endedReason: LINES_BUSY,
      creditsCharged: 0,
    });
    expect(await db.alert.count({ where: { vapiCallId: call.id } })).toBe(0);
  });
});

describe("a start Vapi refused for another reason it documents as 'the call never started'", () => {
  it.each(["assistant-not-found", "call.start.error-get-assistant"])(
    "%s: the credits go back with Vapi's reason, no charge and no unauthorized alert",
    async (endedReason) => {
      const { user, reservationId, vapiCallId, call } = await refusedStart(30);
      expect((await deliver(refusalReport(call, endedReason))).status).toBe(200);
      expect(await balance(user.id)).toEqual({ available: 30, held: 0 });
      expect(await entries(reservationId)).toEqual([
        { kind: "HOLD", reason: null },
        { kind: "RELEASE", reason: `Vapi refused to start the call (${endedReason})` },
      ]);
      expect(await db.alert.count({ where: { vapiCallId } })).toBe(0);
      expect(await db.call.findUniqueOrThrow({ where: { vapiCallId } })).toMatchObject({
        status: "SETTLED",
        creditsCharged: 0,
        endedReason,
      });
    },
  );
});

describe("a call nobody joined, of a start the page had given up on", () => {
  it.each(["assistant-join-timed-out", "customer-did-not-answer"])(
    "%s with no start and no seconds: recorded as never started, no unauthorized alert, the page's release stands",
    async (endedReason) => {
      const user = await userWithCredits(db, 40);
      const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
      const reservationId = start.reservation.id;
      await giveUpStart(db, vapi, { userId: user.id, reservationId });
      const call = webCall({ id: `nobody-joined-${reservationId}`, metadata: start.assistantOverrides.metadata });
      expect((await deliver(refusalReport(call, endedReason))).status).toBe(200);
      expect(await db.alert.count({ where: { vapiCallId: call.id } })).toBe(0);
      expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
        userId: user.id,
        status: "SETTLED",
        creditsCharged: 0,
        endedReason,
      });
      expect(await entries(reservationId)).toEqual([
        { kind: "HOLD", reason: null },
        { kind: "RELEASE", reason: "the call did not start" },
      ]);
      expect(await balance(user.id)).toEqual({ available: 40, held: 0 });
    },
  );

  it("a call that ran before nobody joined it (a start time) is still a replayed start, alerted", async () => {
    const user = await userWithCredits(db, 40);
    const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
    await giveUpStart(db, vapi, { userId: user.id, reservationId: start.reservation.id });
    const call = webCall({ id: `ran-${start.reservation.id}`, metadata: start.assistantOverrides.metadata });
    const report = refusalReport(call, "assistant-join-timed-out");
    Object.assign(report.message, { startedAt: new Date(Date.now() - 5_000).toISOString(), durationSeconds: 5 });
    expect((await deliver(report)).status).toBe(200);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      status: "UNAUTHORIZED",
      flag: "REPLAYED_TOKEN",
    });
    expect(await db.alert.findMany({ where: { vapiCallId: call.id }, select: { kind: true, seconds: true } })).toEqual([
      { kind: "UNAUTHORIZED_CALL", seconds: 5 },
    ]);
  });
});

describe("what the browser can do with a give-up", () => {
  it("nothing to someone else's reservation, nor with someone else's refused call", async () => {
    const other = await refusedStart();
    const caller = await userWithCredits(db, 100);
    const callerStart = await startCall(db, { id: caller.id, suspendedAt: null }, config, pricing);

    // Another user's reservation: not the caller's to give up.
    expect(
      await giveUpStart(db, vapi, {
        userId: caller.id,
        reservationId: other.reservationId,
        vapiCallId: other.vapiCallId,
      }),
    ).toEqual({ linesBusy: false, state: null });
    expect(await balance(other.user.id)).toEqual({ available: 0, held: 100 });
    expect(await db.call.count({ where: { vapiCallId: other.vapiCallId } })).toBe(0);

    // The caller's own reservation with the other user's refused call: the caller's start is given
    // up (it may always be), but Vapi's record names another reservation, so it is not "busy" and
    // the other user's credits and call stay as they are.
    const givenUp = await giveUpStart(db, vapi, {
      userId: caller.id,
      reservationId: callerStart.reservation.id,
      vapiCallId: other.vapiCallId,
    });
    expect(givenUp).toMatchObject({ linesBusy: false, state: { phase: "released", balance: 100 } });
    expect(await entries(callerStart.reservation.id)).toEqual([
      { kind: "HOLD", reason: null },
      { kind: "RELEASE", reason: "the call did not start" },
    ]);
    expect(await balance(other.user.id)).toEqual({ available: 0, held: 100 });
    expect(await db.call.count({ where: { vapiCallId: other.vapiCallId } })).toBe(0);

    // And once the other user's refusal is on record, the caller naming it still hears nothing of it.
    await giveUpStart(db, vapi, {
      userId: other.user.id,
      reservationId: other.reservationId,
      vapiCallId: other.vapiCallId,
    });
    const next = await startCall(db, { id: caller.id, suspendedAt: null }, config, pricing);
    expect(
      await giveUpStart(db, vapi, {
        userId: caller.id,
        reservationId: next.reservation.id,
        vapiCallId: other.vapiCallId,
      }),
    ).toMatchObject({ linesBusy: false });
  });

  it("nothing to a reservation a call is bound to, whatever call id it names", async () => {
    const user = await userWithCredits(db, 100);
    const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
    const live = webCall({ metadata: start.assistantOverrides.metadata });
    expect((await deliver(statusUpdate(live, "in-progress"))).status).toBe(200);
    const { vapiCallId } = await refusedStart();

    const givenUp = await giveUpStart(db, vapi, { userId: user.id, reservationId: start.reservation.id, vapiCallId });
    expect(givenUp).toMatchObject({ linesBusy: false, state: { phase: "live", held: start.reservation.credits } });
    expect(await db.reservation.findUniqueOrThrow({ where: { id: start.reservation.id } })).toMatchObject({
      status: "HELD",
      vapiCallId: live.id,
    });
  });
});

describe("the dashboard's count of starts refused for busy lines", () => {
  it("counts the refused calls Vapi reported, for operators only", async () => {
    const operator = asCurrentUser(await userWithCredits(db, 0, { role: "OPERATOR" }));
    const before = await busyLines(db, operator, new Date());
    const { call } = await refusedStart();
    await deliver(refusalReport(call));
    await deliver(refusalReport(webCall({ id: `other-${Date.now()}` }), "call.start.error-subscription-frozen"));
    const after = await busyLines(db, operator, new Date());
    expect(after).toMatchObject({ today: before.today + 1, last7Days: before.last7Days + 1 });
    expect(after.href).toBe(`/dashboard/calls?endedBy=${encodeURIComponent(`reason:${LINES_BUSY}`)}`);

    const plainUser = asCurrentUser(await userWithCredits(db, 0));
    await expect(busyLines(db, plainUser, new Date())).rejects.toBeInstanceOf(AccessDenied);
  });
});
