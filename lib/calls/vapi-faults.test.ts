import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { signedRequest, statusUpdate, webCall } from "@/test/server-messages";
import { startTestHttpServer, sendJson, type TestHttpServer } from "@/test/http-server";
import type { Db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { checkInvariants } from "@/lib/credits/invariants";
import type { Pricing } from "@/lib/credits/pricing";
import { VapiRestError, type VapiCall, type VapiRestClient } from "@/lib/vapi/rest";
import { log } from "@/lib/observability/log";
import { requestCallEnd } from "./end-call";
import { receiveServerMessage } from "./inbox";
import { reconcileOnce, type ReconcilerOptions } from "./reconciler";
import { startCall } from "./start-call";
import { checkNewCallsForTampering } from "./tamper";

// What happens when Vapi's side misbehaves or asks for more: a control URL that wants a bearer,
// a REST API that fails, a call Vapi says it does not know.

const SECRET = "vapi-faults-webhook-secret";
const BEARER = "control-bearer-for-tests";
const pricing: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 30 };
const config = appConfig({
  VAPI_ASSISTANT_ID: "coach-assistant",
  VAPI_PUBLIC_KEY: "pk",
  VAPI_WEBHOOK_SECRET: SECRET,
  START_TOKEN_SECRET: "vapi-faults-start-secret",
});
const options: ReconcilerOptions = {
  assistantId: "coach-assistant",
  startTokenSecret: config.startTokenSecret,
  pricing,
  settleGraceSeconds: 60,
  lookbackMinutes: 60,
};

let db: Db;
let control: TestHttpServer;
beforeAll(async () => {
  ({ db } = await freshDb());
  control = await startTestHttpServer((_req, res) => sendJson(res, 200, {}));
});
afterAll(() => control.close());
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  expect(await checkInvariants(db)).toEqual([]);
});

const deliver = (body: unknown, now = new Date()) =>
  receiveServerMessage({ db, config, pricing, now }, signedRequest(SECRET, body, now.getTime()));
const controlCalls = (callId: string) => control.requests.filter((r) => r.url.startsWith(`/${callId}/`));
const callWithControl = (metadata?: unknown) => {
  const call = webCall({ metadata });
  call.monitor = { controlUrl: `${control.url}/${call.id}/control`, listenUrl: "" };
  return call;
};
async function activeCall() {
  const user = await userWithCredits(db, 100);
  const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
  const call = callWithControl(start.assistantOverrides.metadata);
  await deliver(statusUpdate(call, "in-progress"));
  return { user, call };
}
const failingRest = (error: Error, calls: string[] = []): VapiRestClient => ({
  getCall: async (id) => {
    calls.push(id);
    throw error;
  },
  listCalls: async () => [],
});

describe("with monitorPlan.controlAuthenticationEnabled (VAPI_CONTROL_BEARER set)", () => {
  it("sends the bearer on the refusal notice, an operator's or suspension's notice, and the reconciler's repeated end-call", async () => {
    vi.stubEnv("VAPI_CONTROL_BEARER", BEARER);
    const refused = callWithControl(undefined);
    await deliver(statusUpdate(refused, "in-progress"));

    const { call } = await activeCall();
    expect((await requestCallEnd(db, { vapiCallId: call.id, why: "OPERATOR", actor: "op" })).ok).toBe(true);

    // The end request went out long ago and Vapi still says the call is live: the reconciler asks again.
    await db.call.update({ where: { vapiCallId: call.id }, data: { endCallSentAt: new Date(Date.now() - 60_000) } });
    const live = {
      id: call.id,
      status: "in-progress",
      createdAt: new Date(),
      updatedAt: new Date(),
      monitor: { controlUrl: call.monitor.controlUrl },
    } as VapiCall;
    await reconcileOnce(db, { getCall: async () => live, listCalls: async () => [] }, options);

    const sent = [...controlCalls(refused.id), ...controlCalls(call.id)];
    expect(sent.map((r) => JSON.parse(r.body).type)).toEqual(["say", "say", "end-call"]);
    for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${BEARER}`);
  });
});

describe("the tamper check, while Vapi's REST API fails", () => {
  it("waits longer after each failure and logs it once, instead of retrying every tick in silence", async () => {
    const { call } = await activeCall();
    const warn = vi.spyOn(log, "warn");
    const asked: string[] = [];
    const rest = failingRest(new VapiRestError("http", "GET /call/x: HTTP 502", { status: 502 }), asked);
    const t0 = new Date();
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const checks = async (ms: number) => (
      await checkNewCallsForTampering(db, rest, at(ms)),
      asked.filter((id) => id === call.id).length
    );
    expect(await checks(0)).toBe(1);
    expect(await checks(250)).toBe(1); // within the first pause (2 s)
    expect(await checks(2_000)).toBe(2);
    expect(await checks(5_000)).toBe(2); // the second pause is 4 s
    expect(await checks(6_000)).toBe(3);
    expect(warn.mock.calls.filter(([fields]) => (fields as { callId?: string }).callId === call.id)).toHaveLength(1);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      overridesCheckFailures: 3,
      overridesCheckedAt: null,
    });
  });
});

describe("the tamper check, when many calls start at once", () => {
  it("reads at most 25 calls from Vapi per pass, the oldest first", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 30; i++) mine.push((await activeCall()).call.id);
    const asked: string[] = [];
    const rest = failingRest(new VapiRestError("http", "GET /call/x: HTTP 502", { status: 502 }), asked);
    await checkNewCallsForTampering(db, rest);
    expect(asked).toHaveLength(25);
    expect(mine.slice(-5).filter((id) => asked.includes(id))).toEqual([]);
    await checkNewCallsForTampering(db, rest);
    expect(mine.every((id) => asked.includes(id))).toBe(true);
  });
});

describe("a call Vapi answers 404 for", () => {
  it("gets a final outcome once: ended, billed from our record, one alert; then the reconciler leaves it alone", async () => {
    const { user, call } = await activeCall();
    const error = vi.spyOn(log, "error");
    const startedAt = (await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).startedAt;
    await db.call.update({
      where: { vapiCallId: call.id },
      data: { endCallSentAt: new Date(startedAt.getTime() + 20_000) },
    });
    const asked: string[] = [];
    const rest = failingRest(new VapiRestError("not-found", `GET /call/${call.id}: HTTP 404`, { status: 404 }), asked);
    const now = new Date(startedAt.getTime() + 30_000);
    await reconcileOnce(db, rest, options, now);
    await reconcileOnce(db, rest, options, new Date(now.getTime() + 10_000));
    await reconcileOnce(db, rest, options, new Date(now.getTime() + 20_000));
    expect(asked.filter((id) => id === call.id)).toHaveLength(1);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      status: "SETTLED",
      endedReason: "unknown-to-vapi",
      usedSeconds: 30,
      creditsCharged: 5,
    });
    expect(await db.alert.count({ where: { vapiCallId: call.id, kind: "UNKNOWN_TO_VAPI" } })).toBe(1);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ available: 95, held: 0 });
    expect(error).not.toHaveBeenCalled();
  });
});
