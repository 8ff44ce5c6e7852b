import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appConfig } from "@/lib/config";
import { checkInvariants } from "@/lib/credits/invariants";
import { reserve } from "@/lib/credits/ledger";
import type { Pricing } from "@/lib/credits/pricing";
import type { Db } from "@/lib/db/client";
import { suspendUser } from "@/lib/dashboard/user-actions";
import type { VapiRestClient } from "@/lib/vapi/rest";
import { asCurrentUser } from "@/test/dashboard-fixtures";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { sendJson, startTestHttpServer, type TestHttpServer } from "@/test/http-server";
import { signedRequest, statusUpdate, webCall } from "@/test/server-messages";
import { receiveServerMessage } from "./inbox";
import { startCall } from "./start-call";
import { TAMPER_CHECK_ACTOR, suspendAccount } from "./suspend";
import { checkNewCallsForTampering } from "./tamper";

// An operator's suspension and the tamper check's are one function (suspendAccount): the same
// audit row, the same release of starts not yet bound to a call, the same end of live calls.

const SECRET = "suspend-webhook-secret";
const pricing: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 30 };
const config = appConfig({
  VAPI_ASSISTANT_ID: "coach-assistant",
  VAPI_PUBLIC_KEY: "pk",
  VAPI_WEBHOOK_SECRET: SECRET,
  START_TOKEN_SECRET: "suspend-start-token-secret",
});

let db: Db;
let control: TestHttpServer;
beforeAll(async () => {
  ({ db } = await freshDb());
  control = await startTestHttpServer((_req, res) => sendJson(res, 200, {}));
});
afterAll(() => control.close());
afterEach(async () => {
  expect(await checkInvariants(db)).toEqual([]);
});

const notices = (vapiCallId: string) =>
  control.requests.filter((r) => r.url.startsWith(`/${vapiCallId}/`)).map((r) => JSON.parse(r.body));
const auditOf = (userId: string) =>
  db.auditLog.findMany({ where: { targetUserId: userId }, orderBy: { createdAt: "asc" } });

/** A call started through the app and authorized by its webhook, whose browser then overrode `server`. */
async function tamperedLiveCall() {
  const user = await userWithCredits(db, 100);
  const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
  const call = webCall({ metadata: start.assistantOverrides.metadata });
  const controlUrl = `${control.url}/${call.id}/control`;
  call.monitor = { controlUrl, listenUrl: "" };
  await receiveServerMessage(
    { db, config, pricing, now: new Date() },
    signedRequest(SECRET, statusUpdate(call, "in-progress")),
  );
  const rest: VapiRestClient = {
    getCall: async (id) => ({
      id,
      status: "in-progress",
      createdAt: new Date(),
      updatedAt: new Date(),
      monitor: { controlUrl },
      assistantOverrides: { metadata: start.assistantOverrides.metadata, server: { url: "https://elsewhere.example" } },
    }),
    listCalls: async () => [],
  };
  return { user, call, rest };
}

describe("the tamper check's suspension", () => {
  it("is the operator's: an audit row, and the tampered call told once why it ends", async () => {
    const { user, call, rest } = await tamperedLiveCall();
    await checkNewCallsForTampering(db, rest);

    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      suspendedAt: expect.any(Date),
      suspendedReason: expect.stringContaining("overrode server"),
    });
    expect(await auditOf(user.id)).toMatchObject([
      { actorId: TAMPER_CHECK_ACTOR, action: "USER_SUSPEND", reason: expect.stringContaining("overrode server") },
    ]);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({
      flag: "TAMPER",
      endCallDueAt: expect.any(Date),
    });
    expect(notices(call.id)).toEqual([
      { type: "say", content: expect.stringMatching(/changed in a way/), endCallAfterSpoken: true },
    ]);
  });

  it("still ends the tampered call of an account an operator suspended already, and writes no second audit row", async () => {
    const { user, call, rest } = await tamperedLiveCall();
    const operator = asCurrentUser(await userWithCredits(db, 0, { role: "OPERATOR" }));
    await suspendUser(db, operator, { userId: user.id, reason: "chargeback" });
    expect(notices(call.id)).toEqual([
      { type: "say", content: expect.stringMatching(/suspended/), endCallAfterSpoken: true },
    ]);

    await checkNewCallsForTampering(db, rest);
    expect(await auditOf(user.id)).toMatchObject([
      { actorId: operator.id, action: "USER_SUSPEND", reason: "chargeback" },
    ]);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({ flag: "TAMPER" });
    expect(notices(call.id)).toHaveLength(2);
  });
});

describe("suspendAccount", () => {
  it("lets go of a start not yet bound to a call, in the suspender's name", async () => {
    const user = await userWithCredits(db, 100);
    await reserve(db, {
      userId: user.id,
      minCredits: 1,
      maxCredits: 40,
      secondsFor: (c) => c * 6,
      expiresAt: new Date(Date.now() + 60_000),
      idempotencyKey: randomUUID(),
      actor: user.id,
    });
    const result = await suspendAccount(db, {
      userId: user.id,
      reason: "overrode server",
      auditActorId: TAMPER_CHECK_ACTOR,
      ledgerActor: TAMPER_CHECK_ACTOR,
    });
    expect(result).toMatchObject({ outcome: "suspended", liveCallsEnding: 0 });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ available: 100, held: 0 });
    expect(await db.ledgerEntry.findFirst({ where: { userId: user.id, kind: "RELEASE" } })).toMatchObject({
      actor: TAMPER_CHECK_ACTOR,
      reason: "account suspended",
    });
    expect(await auditOf(user.id)).toHaveLength(1);
  });

  it("changes nothing the second time, and says why", async () => {
    const user = await userWithCredits(db, 10);
    const suspension = {
      userId: user.id,
      reason: "overrode server",
      auditActorId: TAMPER_CHECK_ACTOR,
      ledgerActor: TAMPER_CHECK_ACTOR,
    };
    await suspendAccount(db, suspension);
    expect(await suspendAccount(db, suspension)).toEqual({ outcome: "already-suspended" });
    expect(await suspendAccount(db, { ...suspension, userId: "no-such-user" })).toEqual({ outcome: "no-such-user" });
    expect(await auditOf(user.id)).toHaveLength(1);
  });
});
