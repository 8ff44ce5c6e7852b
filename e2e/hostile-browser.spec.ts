import { appConfig } from "@/lib/config";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { startCall } from "@/lib/calls/start-call";
import { cancelUnstartedCall } from "@/lib/calls/call-state";
import { mintPublicCallJwt } from "@/lib/vapi/public-jwt";
import type { Db } from "@/lib/db/client";
import { test, expect } from "./support/fixtures";
import { emulator, eventually } from "./support/emulator";
import { e2eEnv } from "./support/env";

// A signed-in user starts a call legitimately, then creates it at Vapi with overrides of their own,
// as anyone with the browser's key can (vapi-protocol.md §6.3). The reconciler runs every 5 s.

const config = appConfig(e2eEnv);
const pricing = pricingFromEnv(e2eEnv);

async function tamperedCall(db: Db, userId: string, overrides: Record<string, unknown>) {
  const start = await startCall(db, { id: userId, suspendedAt: null }, config, pricing);
  const attack = await emulator.attack({ overrides: { ...start.assistantOverrides, ...overrides } });
  expect(attack.httpStatus).toBe(201);
  return { id: attack.call!.id, createdAt: Date.now(), reservationId: start.reservation.id };
}

async function endedWithin(id: string, timeoutMs: number) {
  return eventually(async () => {
    const c = (await emulator.call(id)).call;
    return c.endedAt ? c : undefined;
  }, timeoutMs);
}

for (const [name, overrides] of [
  ["a dead server URL", { server: { url: "http://127.0.0.1:9/dead" } }],
  ["no server messages", { serverMessages: [] }],
] as const) {
  test(`${name}: the reconciler finds the call, ends it, suspends the user and bills the seconds`, async ({
    db,
    makeUser,
  }) => {
    const user = await makeUser({ credits: 100 });
    const call = await tamperedCall(db, user.id, overrides);
    const ended = await endedWithin(call.id, 10_000);
    const took = Date.parse(ended.endedAt!) - Date.parse(ended.startedAt!);
    console.log(`${name}: ${took} ms from the call's start to its end`);
    expect(took).toBeLessThanOrEqual(5_000 + 2_000 + 2_000);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      suspendedAt: expect.any(Date),
    });
    const settled = await eventually(async () => {
      const row = await db.call.findUnique({ where: { vapiCallId: call.id } });
      return row?.settledAt ? row : undefined;
    }, 20_000);
    expect(settled).toMatchObject({
      status: "SETTLED",
      flag: "TAMPER",
      creditsCharged: Math.ceil((Date.parse(ended.endedAt!) - Date.parse(ended.startedAt!)) / 1000),
    });
    expect(await db.alert.count({ where: { vapiCallId: call.id, kind: "TAMPERED_CALL" } })).toBe(1);
  });
}

test("control switched off: detected, user suspended, usage billed after the call ends", async ({ db, makeUser }) => {
  const user = await makeUser({ credits: 100 });
  const call = await tamperedCall(db, user.id, { monitorPlan: { controlEnabled: false } });
  await eventually(
    async () => ((await db.user.findUniqueOrThrow({ where: { id: user.id } })).suspendedAt ? true : undefined),
    5_000,
  );
  await new Promise((r) => setTimeout(r, 2_000));
  await emulator.hangup(call.id);
  const settled = await eventually(async () => {
    const row = await db.call.findUnique({ where: { vapiCallId: call.id } });
    return row?.settledAt ? row : undefined;
  }, 15_000);
  expect(settled.creditsCharged).toBeGreaterThanOrEqual(2);
  expect(await db.alert.findFirst({ where: { vapiCallId: call.id, kind: "TAMPERED_CALL" } })).toMatchObject({
    message: expect.stringContaining("no control URL"),
  });
});

test("a raised maxDurationSeconds is recorded and the call still ends at the cutoff", async ({ db, makeUser }) => {
  const user = await makeUser({ credits: 12 });
  const call = await tamperedCall(db, user.id, { maxDurationSeconds: 43200 });
  const ended = await endedWithin(call.id, 25_000);
  const row = await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } });
  expect(Math.abs(Date.parse(ended.endedAt!) - row.cutoffAt!.getTime())).toBeLessThanOrEqual(1_000);
  expect(await db.alert.count({ where: { vapiCallId: call.id, kind: "RAISED_MAX_DURATION" } })).toBe(1);
});

test("a dropped end-of-call report is settled from Vapi's record, and a late report does not bill twice", async ({
  db,
  makeUser,
}) => {
  await emulator.setFaults({ drop: ["end-of-call-report"] });
  try {
    const user = await makeUser({ credits: 100 });
    const call = await tamperedCall(db, user.id, {});
    await new Promise((r) => setTimeout(r, 2_500));
    await emulator.hangup(call.id);
    const settled = await eventually(async () => {
      const row = await db.call.findUnique({ where: { vapiCallId: call.id } });
      return row?.settledAt ? row : undefined;
    }, 20_000);
    expect(await db.alert.count({ where: { vapiCallId: call.id, kind: "SETTLED_FROM_VAPI" } })).toBe(1);
    await emulator.clearFaults();
    await emulator.trigger(call.id, { type: "end-of-call-report", force: true });
    expect(await db.ledgerEntry.count({ where: { reservationId: call.reservationId, kind: "CAPTURE" } })).toBe(1);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      available: 100 - settled.creditsCharged!,
      held: 0,
    });
  } finally {
    await emulator.clearFaults();
  }
});

test("the emulator refuses an expired JWT, a JWT for another assistant and a wrong origin; the page says so in plain words", async ({
  page,
  db,
  makeUser,
  signIn,
}) => {
  const user = await makeUser({ credits: 100 });
  const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
  expect((await emulator.attack({ key: start.vapiKey, origin: "https://evil.example" })).httpStatus).toBe(403);
  expect((await emulator.attack({ key: start.vapiKey, assistantId: "some-other-assistant" })).httpStatus).toBe(403);
  const expired = await mintPublicCallJwt({
    orgId: e2eEnv.VAPI_ORG_ID,
    privateKey: e2eEnv.VAPI_PRIVATE_KEY,
    assistantId: e2eEnv.VAPI_ASSISTANT_ID,
    allowedOrigins: [e2eEnv.APP_URL],
    ttlSeconds: 60,
    now: new Date(Date.now() - 120_000),
  });
  expect((await emulator.attack({ key: expired })).httpStatus).toBe(401);
  await cancelUnstartedCall(db, user.id, start.reservation.id);

  await signIn(page, user);
  await page.route("**/call/web", (route) =>
    route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${expired}` } }),
  );
  await page.goto("/coach");
  await page.getByRole("button", { name: "Talk to coach" }).click();
  await expect(page.getByTestId("call-error")).toContainText("Your call could not start");
  await expect(page.getByTestId("call-error")).toContainText("No credits were used");
  await expect.poll(async () => (await db.user.findUniqueOrThrow({ where: { id: user.id } })).available).toBe(100);
});

test("a suspended user cannot start a call", async ({ page, db, makeUser, signIn }) => {
  const user = await makeUser({ credits: 100 });
  await db.user.update({ where: { id: user.id }, data: { suspendedAt: new Date(), suspendedReason: "test" } });
  await signIn(page, user);
  await expect(page.getByRole("button", { name: "Talk to coach" })).toBeDisabled();
  await expect(page.getByText("Your account is suspended")).toBeVisible();
});
