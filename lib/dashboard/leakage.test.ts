import { beforeAll, describe, expect, it } from "vitest";
import { receiveServerMessage } from "@/lib/calls/inbox";
import { reconcileOnce } from "@/lib/calls/reconciler";
import { startCall } from "@/lib/calls/start-call";
import { checkNewCallsForTampering } from "@/lib/calls/tamper";
import { appConfig } from "@/lib/config";
import { checkInvariants } from "@/lib/credits/invariants";
import type { Pricing } from "@/lib/credits/pricing";
import type { Db } from "@/lib/db/client";
import type { VapiCall, VapiRestClient } from "@/lib/vapi/rest";
import { anOperator } from "@/test/dashboard-fixtures";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { sendJson, startTestHttpServer } from "@/test/http-server";
import { endOfCallReport, signedRequest, statusUpdate, webCall } from "@/test/server-messages";
import { getOverview } from "./overview";

// Leakage through the paths production takes: the webhook authorizes (or not), the tamper check
// reads the call back from Vapi, and the end-of-call report or the reconciler settles it.

const SECRET = "leakage-webhook-secret";
const pricing: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 30 };
const config = appConfig({
  VAPI_ASSISTANT_ID: "coach-assistant",
  VAPI_PUBLIC_KEY: "pk",
  VAPI_WEBHOOK_SECRET: SECRET,
  START_TOKEN_SECRET: "leakage-start-token-secret",
});

let db: Db;
/** Vapi's records of the calls, as GET /call and GET /call/{id} answer. */
const vapi = new Map<string, VapiCall>();
const rest: VapiRestClient = {
  getCall: async (id) => vapi.get(id)!,
  listCalls: async () => [...vapi.values()].filter((c) => c.status === "ended"),
};
const deliver = (body: unknown) =>
  receiveServerMessage({ db, config, pricing, now: new Date() }, signedRequest(SECRET, body));

let controlUrl: string;
beforeAll(async () => {
  ({ db } = await freshDb());
  const control = await startTestHttpServer((_req, res) => sendJson(res, 200, {}));
  controlUrl = `${control.url}/control`;
  return () => control.close();
});

/** A call started through the app and authorized by its webhook; `overrides` is what Vapi's record shows the browser sent. */
async function paidCall(overrides: Record<string, unknown> = {}) {
  const user = await userWithCredits(db, 100);
  const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
  const call = webCall({ metadata: start.assistantOverrides.metadata, controlUrl });
  await deliver(statusUpdate(call, "in-progress"));
  vapi.set(call.id, {
    id: call.id,
    status: "in-progress",
    assistantId: "coach-assistant",
    createdAt: new Date(),
    updatedAt: new Date(),
    monitor: { controlUrl },
    assistantOverrides: { metadata: start.assistantOverrides.metadata, ...overrides },
  });
  return call;
}

describe("leakage on the overview", () => {
  it("is how long unauthorized and tampered-with calls ran by Vapi's record, from the report or the reconciler", async () => {
    const tamperedReported = await paidCall({ server: { url: "https://elsewhere.example" } });
    const tamperedReconciled = await paidCall({ monitorPlan: { controlUrl: false } });
    const tamperedStillLive = await paidCall({ serverMessages: [] });
    const clean = await paidCall();
    await checkNewCallsForTampering(db, rest);

    const unauthorized = webCall({ controlUrl });
    await deliver(statusUpdate(unauthorized, "in-progress"));

    await deliver(endOfCallReport(tamperedReported, { seconds: 37 }));
    await deliver(endOfCallReport(unauthorized, { seconds: 12 }));
    await deliver(endOfCallReport(clean, { seconds: 50 }));
    // No report for this one: the reconciler bills it from Vapi's record once the grace is over.
    const endedAt = new Date(Date.now() - 120_000);
    vapi.set(tamperedReconciled.id, {
      ...vapi.get(tamperedReconciled.id)!,
      status: "ended",
      startedAt: new Date(endedAt.getTime() - 20_000),
      endedAt,
      durationSeconds: 20,
      updatedAt: new Date(),
    });
    await reconcileOnce(db, rest, {
      assistantId: "coach-assistant",
      startTokenSecret: config.startTokenSecret,
      pricing,
      settleGraceSeconds: 60,
      lookbackMinutes: 60,
    });

    const overview = await getOverview(db, anOperator, new Date());
    expect(overview).toMatchObject({ leakageSeconds: 37 + 12 + 20, leakingCallsUnsettled: 1, unauthorizedCalls: 1 });

    const alertSeconds = async (vapiCallId: string) =>
      (await db.alert.findMany({ where: { vapiCallId, kind: { in: ["TAMPERED_CALL", "UNAUTHORIZED_CALL"] } } })).map(
        (a) => [a.kind, a.seconds],
      );
    expect(await alertSeconds(tamperedReported.id)).toEqual([["TAMPERED_CALL", 37]]);
    expect(await alertSeconds(tamperedReconciled.id)).toEqual([["TAMPERED_CALL", 20]]);
    expect(await alertSeconds(tamperedStillLive.id)).toEqual([["TAMPERED_CALL", 0]]);
    expect(await alertSeconds(unauthorized.id)).toEqual([["UNAUTHORIZED_CALL", 12]]);
    expect(await checkInvariants(db)).toEqual([]);
  });
});
