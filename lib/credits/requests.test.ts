import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { asCurrentUser } from "@/test/dashboard-fixtures";
import { CreditRequestInput, latestCreditRequest, requestCredits } from "./requests";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

const newUser = async () => asCurrentUser(await userWithCredits(db, 0));
const ask = (credits: number, note = "for my first real session") => CreditRequestInput.parse({ credits, note });
/** What an operator's decision does to the row; the decisions themselves are tested in lib/dashboard. */
const decideDirectly = (id: string, by: string) =>
  db.creditRequest.update({
    where: { id },
    data: { status: "DECLINED", decidedById: by, decidedAt: new Date(), decisionReason: "not now" },
  });

describe("asking for credits", () => {
  it("records the amount and the note as an open request, newest shown to the user", async () => {
    const user = await newUser();
    expect(await latestCreditRequest(db, user.id)).toBeNull();
    const request = await requestCredits(db, user, ask(50, "  I want a longer call  "));
    expect(request).toMatchObject({
      credits: 50,
      note: "I want a longer call",
      status: "OPEN",
      decidedAt: null,
      grantedCredits: null,
    });
    expect(await latestCreditRequest(db, user.id)).toEqual(request);
  });

  it("keeps one request open at a time, also when two are sent at once", async () => {
    const user = await newUser();
    const outcomes = await Promise.allSettled([requestCredits(db, user, ask(10)), requestCredits(db, user, ask(20))]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.find((o) => o.status === "rejected")).toMatchObject({
      reason: { message: "You already have a request waiting for an operator." },
    });
    expect(await db.creditRequest.count({ where: { userId: user.id } })).toBe(1);
  });

  it("can ask again once the open request is decided", async () => {
    const user = await newUser();
    const first = await requestCredits(db, user, ask(10));
    await decideDirectly(first.id, user.id);
    expect(await requestCredits(db, user, ask(15))).toMatchObject({ status: "OPEN", credits: 15 });
  });

  it("is throttled to 5 requests a day", async () => {
    const user = await newUser();
    const now = new Date("2026-12-01T09:00:00Z");
    for (let i = 0; i < 5; i++) await decideDirectly((await requestCredits(db, user, ask(10), now)).id, user.id);
    await expect(requestCredits(db, user, ask(10), now)).rejects.toThrow(
      "You have asked for credits 5 times today. Please try again tomorrow.",
    );
    expect(await requestCredits(db, user, ask(10), new Date("2026-12-02T00:00:01Z"))).toMatchObject({ status: "OPEN" });
  });

  it("is refused to a suspended account", async () => {
    const user = { ...(await newUser()), suspendedAt: new Date() };
    await expect(requestCredits(db, user, ask(10))).rejects.toThrow("Your account is suspended.");
    expect(await db.creditRequest.count({ where: { userId: user.id } })).toBe(0);
  });

  it("takes a whole, positive amount up to 10,000 and a note of 3 to 500 characters", () => {
    const errors = (raw: unknown) => {
      const parsed = CreditRequestInput.safeParse(raw);
      return parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(errors({ credits: "25", note: "please" })).toBeNull();
    expect(errors({ credits: 0, note: "please" })).toEqual(["credits: Ask for at least 1 credit."]);
    expect(errors({ credits: 2.5, note: "please" })).toEqual(["credits: Credits must be a whole number."]);
    expect(errors({ credits: 10_001, note: "please" })).toEqual(["credits: Ask for at most 10,000 credits at a time."]);
    expect(errors({ credits: 5, note: " x " })).toEqual(["note: Tell the operator why (at least 3 characters)."]);
    expect(errors({ credits: 5, note: "x".repeat(501) })).toEqual(["note: Keep the note under 500 characters."]);
  });
});

describe("the database", () => {
  it("refuses a second open request for one account, and a decision without who, when and why", async () => {
    const user = await newUser();
    await db.creditRequest.create({ data: { userId: user.id, credits: 5, note: "first" } });
    await expect(
      db.creditRequest.create({ data: { userId: user.id, credits: 5, note: "second" } }),
    ).rejects.toMatchObject({ code: "P2002" });
    const other = await newUser();
    await expect(
      db.creditRequest.create({ data: { userId: other.id, credits: 5, note: "x", status: "DECLINED" } }),
    ).rejects.toThrow(/CreditRequest_decision_check/);
    await expect(db.creditRequest.create({ data: { userId: other.id, credits: 0, note: "x" } })).rejects.toThrow(
      /CreditRequest_decision_check/,
    );
    await expect(
      db.creditRequest.create({
        data: {
          userId: other.id,
          credits: 5,
          note: "x",
          status: "APPROVED",
          decidedById: user.id,
          decidedAt: new Date(),
          decisionReason: "ok",
        },
      }),
    ).rejects.toThrow(/CreditRequest_decision_check/);
  });
});
