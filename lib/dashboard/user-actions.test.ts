import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CurrentUser } from "@/lib/auth/session";
import { checkInvariants } from "@/lib/credits/invariants";
import { reserve } from "@/lib/credits/ledger";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { asCurrentUser, billedCall } from "@/test/dashboard-fixtures";
import { startTestHttpServer } from "@/test/http-server";
import { adjustCredits, suspendUser, unsuspendUser } from "./user-actions";

let db: Db;
let operator: CurrentUser;
beforeAll(async () => {
  ({ db } = await freshDb());
  operator = asCurrentUser(await userWithCredits(db, 0, { role: "OPERATOR" }));
});
afterEach(async () => {
  expect(await checkInvariants(db)).toEqual([]);
});

const balance = async (id: string) => (await db.user.findUniqueOrThrow({ where: { id } })).available;
const auditFor = (targetUserId: string) => db.auditLog.findMany({ where: { targetUserId } });
const grantOf = (userId: string, credits: number, idempotencyKey = randomUUID()) => ({
  userId,
  direction: "grant" as const,
  credits,
  reason: "goodwill",
  idempotencyKey,
});

describe("granting and deducting credits", () => {
  it("applies a double submit once and writes one audit row", async () => {
    const user = await userWithCredits(db, 10);
    const input = grantOf(user.id, 25);
    const [first, second] = await Promise.all([adjustCredits(db, operator, input), adjustCredits(db, operator, input)]);
    expect(second.entryId).toBe(first.entryId);
    expect(await adjustCredits(db, operator, input)).toMatchObject({ entryId: first.entryId, available: 35 });
    expect(await balance(user.id)).toBe(35);
    const audit = await auditFor(user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: operator.id,
      action: "CREDITS_GRANT",
      reason: "goodwill",
      details: { credits: 25, ledgerEntryId: first.entryId },
    });
    const entry = await db.ledgerEntry.findFirstOrThrow({
      where: { userId: user.id, kind: "GRANT", reason: "goodwill" },
    });
    expect(entry).toMatchObject({ availableDelta: 25, actor: `operator:${operator.id}` });
  });

  it("deducts with a reason", async () => {
    const user = await userWithCredits(db, 30);
    await adjustCredits(db, operator, { ...grantOf(user.id, 12), direction: "deduct", reason: "charged twice" });
    expect(await balance(user.id)).toBe(18);
    expect(await auditFor(user.id)).toMatchObject([
      { action: "CREDITS_DEDUCT", reason: "charged twice", details: { credits: -12 } },
    ]);
  });

  it("refuses a deduction below zero and writes nothing", async () => {
    const user = await userWithCredits(db, 5);
    await expect(adjustCredits(db, operator, { ...grantOf(user.id, 6), direction: "deduct" })).rejects.toMatchObject({
      code: "insufficient-credits",
    });
    expect(await balance(user.id)).toBe(5);
    expect(await auditFor(user.id)).toEqual([]);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).toBe(1);
  });

  it("refuses a key already used for another account", async () => {
    const [a, b] = await Promise.all([userWithCredits(db, 0), userWithCredits(db, 0)]);
    const key = randomUUID();
    await adjustCredits(db, operator, grantOf(a.id, 5, key));
    await expect(adjustCredits(db, operator, grantOf(b.id, 5, key))).rejects.toThrow(/already used/);
    expect(await balance(b.id)).toBe(0);
    expect(await auditFor(b.id)).toEqual([]);
  });

  it("refuses an unknown account", async () => {
    await expect(adjustCredits(db, operator, grantOf("no-such-user", 5))).rejects.toThrow("No such user.");
  });

  it("refuses a plain user passed as the operator", async () => {
    const plain = asCurrentUser(await userWithCredits(db, 0));
    const user = await userWithCredits(db, 0);
    await expect(adjustCredits(db, plain, grantOf(user.id, 5))).rejects.toThrow("Operators only.");
    expect(await balance(user.id)).toBe(0);
  });
});

describe("suspending", () => {
  it("suspends and lifts a suspension, each with one audit row", async () => {
    const user = await userWithCredits(db, 0);
    await suspendUser(db, operator, { userId: user.id, reason: "abuse report" });
    await expect(suspendUser(db, operator, { userId: user.id, reason: "again" })).rejects.toThrow("already suspended");
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      suspendedReason: "abuse report",
      suspendedAt: expect.any(Date),
    });

    await unsuspendUser(db, operator, { userId: user.id, reason: "cleared" });
    await expect(unsuspendUser(db, operator, { userId: user.id, reason: "again" })).rejects.toThrow("not suspended");
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      suspendedAt: null,
      suspendedReason: null,
    });

    const audit = await db.auditLog.findMany({ where: { targetUserId: user.id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.reason])).toEqual([
      ["USER_SUSPEND", "abuse report"],
      ["USER_UNSUSPEND", "cleared"],
    ]);
    expect(audit[1].details).toEqual({ suspendedReason: "abuse report" });
  });

  it("ends the account's live call through its control URL: a spoken notice, then end-call when due", async () => {
    const control = await startTestHttpServer((_req, res) => res.writeHead(200).end("{}"));
    try {
      const user = await userWithCredits(db, 100);
      const live = await billedCall(db, user.id, { startedAt: new Date(), held: 60, live: true });
      await db.call.update({ where: { id: live.id }, data: { controlUrl: `${control.url}/control` } });
      const now = new Date();
      expect(await suspendUser(db, operator, { userId: user.id, reason: "chargeback" }, now)).toMatchObject({
        liveCallsEnding: 1,
      });
      expect(control.requests.map((r) => JSON.parse(r.body))).toEqual([
        { type: "say", content: expect.stringMatching(/suspended/), endCallAfterSpoken: true },
      ]);
      expect(await db.call.findUniqueOrThrow({ where: { id: live.id } })).toMatchObject({
        flag: "SUSPENDED",
        endCallDueAt: expect.any(Date),
      });
      expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ held: 60 }); // the live call's hold stays until it is billed
    } finally {
      await control.close();
    }
  });

  it("lets go of a start not yet bound to a call", async () => {
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
    expect(await balance(user.id)).toBe(60);
    await suspendUser(db, operator, { userId: user.id, reason: "fraud" });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ available: 100, held: 0 });
    expect(await db.reservation.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({ status: "RELEASED" });
  });

  it("refuses to suspend yourself or an unknown account", async () => {
    await expect(suspendUser(db, operator, { userId: operator.id, reason: "oops" })).rejects.toThrow("yourself");
    await expect(suspendUser(db, operator, { userId: "no-such-user", reason: "gone" })).rejects.toThrow(
      "No such user.",
    );
    await expect(unsuspendUser(db, operator, { userId: "no-such-user", reason: "gone" })).rejects.toThrow(
      "No such user.",
    );
  });
});
