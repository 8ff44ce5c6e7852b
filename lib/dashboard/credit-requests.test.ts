import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AccessDenied } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import { checkInvariants } from "@/lib/credits/invariants";
import { latestCreditRequest, requestCredits } from "@/lib/credits/requests";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { asCurrentUser } from "@/test/dashboard-fixtures";
import { approveCreditRequest, declineCreditRequest, listCreditRequests } from "./credit-requests";

let db: Db;
let operator: CurrentUser;
beforeAll(async () => {
  ({ db } = await freshDb());
  operator = asCurrentUser(await userWithCredits(db, 0, { role: "OPERATOR" }));
});
afterEach(async () => {
  expect(await checkInvariants(db)).toEqual([]);
});

/** A user with `credits` and an open request for `asked`. */
async function openRequest(credits = 0, asked = 40) {
  const user = asCurrentUser(await userWithCredits(db, credits));
  const request = await requestCredits(db, user, { credits: asked, note: "for a longer session" });
  return { user, request };
}
const balance = async (id: string) => (await db.user.findUniqueOrThrow({ where: { id } })).available;
const auditFor = (targetUserId: string) =>
  db.auditLog.findMany({ where: { targetUserId }, orderBy: { createdAt: "asc" } });

describe("approving a credit request", () => {
  it("grants the credits through the ledger with the reason, and logs who approved it", async () => {
    const { user, request } = await openRequest(3, 40);
    expect(
      await approveCreditRequest(db, operator, { requestId: request.id, credits: 40, reason: "welcome aboard" }),
    ).toEqual({ status: "APPROVED", grantedCredits: 40, available: 43 });
    const entry = await db.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: `credit-request:${request.id}` } });
    expect(entry).toMatchObject({
      userId: user.id,
      kind: "GRANT",
      availableDelta: 40,
      actor: `operator:${operator.id}`,
      reason: "welcome aboard",
    });
    expect(await db.creditRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({
      status: "APPROVED",
      decidedById: operator.id,
      decisionReason: "welcome aboard",
      ledgerEntryId: entry.id,
    });
    expect(await auditFor(user.id)).toMatchObject([
      {
        actorId: operator.id,
        action: "CREDIT_REQUEST_APPROVE",
        reason: "welcome aboard",
        details: { creditRequestId: request.id, requested: 40, credits: 40, ledgerEntryId: entry.id.toString() },
      },
    ]);
    expect(await latestCreditRequest(db, user.id)).toMatchObject({
      status: "APPROVED",
      grantedCredits: 40,
      decisionReason: "welcome aboard",
    });
  });

  it("may grant a different amount than was asked for", async () => {
    const { user, request } = await openRequest(0, 500);
    await approveCreditRequest(db, operator, { requestId: request.id, credits: 100, reason: "100 to start with" });
    expect(await balance(user.id)).toBe(100);
    expect(await latestCreditRequest(db, user.id)).toMatchObject({ credits: 500, grantedCredits: 100 });
  });

  it("grants once however often it is submitted, also at the same moment", async () => {
    const { user, request } = await openRequest(0, 30);
    const input = { requestId: request.id, credits: 30, reason: "ok" };
    const results = await Promise.all([
      approveCreditRequest(db, operator, input),
      approveCreditRequest(db, operator, input),
    ]);
    expect(results).toEqual([
      { status: "APPROVED", grantedCredits: 30, available: 30 },
      { status: "APPROVED", grantedCredits: 30, available: 30 },
    ]);
    expect(await approveCreditRequest(db, operator, input)).toEqual({
      status: "APPROVED",
      grantedCredits: 30,
      available: 30,
    });
    expect(await balance(user.id)).toBe(30);
    expect(await auditFor(user.id)).toHaveLength(1);
  });
});

describe("declining a credit request", () => {
  it("writes the reason on the request and an audit row, and no ledger entry", async () => {
    const { user, request } = await openRequest(2, 40);
    expect(
      await declineCreditRequest(db, operator, { requestId: request.id, reason: "one free session per person" }),
    ).toEqual({ status: "DECLINED", grantedCredits: null, available: 2 });
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).toBe(1);
    expect(await auditFor(user.id)).toMatchObject([
      {
        actorId: operator.id,
        action: "CREDIT_REQUEST_DECLINE",
        reason: "one free session per person",
        details: { creditRequestId: request.id, requested: 40 },
      },
    ]);
    expect(await latestCreditRequest(db, user.id)).toMatchObject({
      status: "DECLINED",
      decisionReason: "one free session per person",
      grantedCredits: null,
    });
    expect(
      await declineCreditRequest(db, operator, { requestId: request.id, reason: "one free session per person" }),
    ).toMatchObject({ status: "DECLINED" });
    expect(await auditFor(user.id)).toHaveLength(1);
  });

  it("lets the user ask again", async () => {
    const { user, request } = await openRequest();
    await declineCreditRequest(db, operator, { requestId: request.id, reason: "tell us more" });
    expect(await requestCredits(db, user, { credits: 10, note: "it is for my interview" })).toMatchObject({
      status: "OPEN",
    });
  });
});

describe("one decision per request", () => {
  it("refuses to decline an approved request, or to approve a declined one", async () => {
    const approved = await openRequest();
    await approveCreditRequest(db, operator, { requestId: approved.request.id, credits: 40, reason: "ok" });
    await expect(declineCreditRequest(db, operator, { requestId: approved.request.id, reason: "no" })).rejects.toThrow(
      "This request was already approved.",
    );
    const declined = await openRequest();
    await declineCreditRequest(db, operator, { requestId: declined.request.id, reason: "no" });
    await expect(
      approveCreditRequest(db, operator, { requestId: declined.request.id, credits: 40, reason: "ok" }),
    ).rejects.toThrow("This request was already declined.");
    expect(await balance(declined.user.id)).toBe(0);
  });

  it("lets exactly one of an approval and a decline sent at once win, and grants only if the approval won", async () => {
    for (let i = 0; i < 5; i++) {
      const { user, request } = await openRequest(0, 25);
      const [approval, decline] = await Promise.allSettled([
        approveCreditRequest(db, operator, { requestId: request.id, credits: 25, reason: "ok" }),
        declineCreditRequest(db, operator, { requestId: request.id, reason: "no" }),
      ]);
      expect([approval.status, decline.status].sort()).toEqual(["fulfilled", "rejected"]);
      const final = await db.creditRequest.findUniqueOrThrow({ where: { id: request.id } });
      expect(final.status).toBe(approval.status === "fulfilled" ? "APPROVED" : "DECLINED");
      expect(await balance(user.id)).toBe(final.status === "APPROVED" ? 25 : 0);
      expect(await auditFor(user.id)).toHaveLength(1);
    }
  });

  it("refuses a request that does not exist", async () => {
    await expect(approveCreditRequest(db, operator, { requestId: "nope", credits: 5, reason: "ok" })).rejects.toThrow(
      "No such credit request.",
    );
    await expect(declineCreditRequest(db, operator, { requestId: "nope", reason: "no" })).rejects.toThrow(
      "No such credit request.",
    );
  });
});

describe("who may decide", () => {
  it("re-checks the operator in the data layer: a plain user, a suspended operator or nobody changes nothing", async () => {
    const { user, request } = await openRequest();
    const plain = asCurrentUser(await userWithCredits(db, 0));
    const suspended = { ...operator, suspendedAt: new Date() };
    for (const who of [plain, suspended, null]) {
      await expect(
        approveCreditRequest(db, who as CurrentUser, { requestId: request.id, credits: 40, reason: "ok" }),
      ).rejects.toBeInstanceOf(AccessDenied);
      await expect(
        declineCreditRequest(db, who as CurrentUser, { requestId: request.id, reason: "no" }),
      ).rejects.toBeInstanceOf(AccessDenied);
    }
    expect(await db.creditRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: "OPEN" });
    expect(await balance(user.id)).toBe(0);
  });
});

describe("the operators' list", () => {
  it("shows open requests oldest first with the account's balance, and the latest decisions with who decided", async () => {
    const { db: own } = await freshDb();
    const op = asCurrentUser(await userWithCredits(own, 0, { role: "OPERATOR", email: "op@example.test" }));
    const make = async (email: string, credits: number) => {
      const user = asCurrentUser(await userWithCredits(own, credits, { email }));
      return requestCredits(own, user, { credits: 10, note: `from ${email}` });
    };
    const first = await make("first@example.test", 1);
    const second = await make("second@example.test", 2);
    const decided = await make("decided@example.test", 0);
    await declineCreditRequest(own, op, { requestId: decided.id, reason: "no" });
    const list = await listCreditRequests(own, op, 1);
    expect(list.open.map((r) => [r.id, r.user.email, r.user.available])).toEqual([
      [first.id, "first@example.test", 1],
      [second.id, "second@example.test", 2],
    ]);
    expect(list.openPageInfo).toMatchObject({ total: 2, pages: 1 });
    expect(list.decided).toMatchObject([
      {
        id: decided.id,
        status: "DECLINED",
        decisionReason: "no",
        decidedByEmail: "op@example.test",
        grantedCredits: null,
      },
    ]);
  });
});
