import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "@/lib/auth/accounts";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { checkInvariants } from "./invariants";
import { grantWelcomeCredits, signupCreditsFromEnv } from "./welcome";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});
afterEach(async () => {
  expect(await checkInvariants(db)).toEqual([]);
});

const signUp = (welcomeCredits?: number) =>
  createAccount(db, { email: `new-${randomUUID()}@example.test`, password: "a-long-password" }, welcomeCredits);

describe("a new account", () => {
  it("starts with 20 credits by default: enough for a two-minute first call at 10 credits a minute", async () => {
    expect(signupCreditsFromEnv({})).toBe(20);
    const user = await signUp();
    expect(
      await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { available: true, held: true } }),
    ).toEqual({ available: 20, held: 0 });
    expect(await db.ledgerEntry.findMany({ where: { userId: user.id } })).toMatchObject([
      {
        kind: "GRANT",
        availableDelta: 20,
        heldDelta: 0,
        actor: "system:signup",
        reason: "welcome credits",
        idempotencyKey: `signup:${user.id}`,
      },
    ]);
  });

  it("gets what COACH_SIGNUP_CREDITS says, and nothing when it is 0", async () => {
    expect(signupCreditsFromEnv({ COACH_SIGNUP_CREDITS: "50" })).toBe(50);
    expect(signupCreditsFromEnv({ COACH_SIGNUP_CREDITS: "0" })).toBe(0);
    expect(() => signupCreditsFromEnv({ COACH_SIGNUP_CREDITS: "-1" })).toThrow();
    expect(() => signupCreditsFromEnv({ COACH_SIGNUP_CREDITS: "2.5" })).toThrow();
    const generous = await signUp(50);
    expect((await db.user.findUniqueOrThrow({ where: { id: generous.id } })).available).toBe(50);
    const none = await signUp(0);
    expect((await db.user.findUniqueOrThrow({ where: { id: none.id } })).available).toBe(0);
    expect(await db.ledgerEntry.count({ where: { userId: none.id } })).toBe(0);
  });

  it("is welcomed once, however often the grant is retried", async () => {
    const user = await signUp(20);
    await Promise.all([grantWelcomeCredits(db, user.id, 20), grantWelcomeCredits(db, user.id, 20)]);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).available).toBe(20);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).toBe(1);
  });

  it("is not created, nor welcomed, twice for one email", async () => {
    const email = `twice-${randomUUID()}@example.test`;
    await createAccount(db, { email, password: "a-long-password" }, 20);
    await expect(createAccount(db, { email, password: "a-long-password" }, 20)).rejects.toThrow(
      "An account with this email already exists.",
    );
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.available).toBe(20);
  });
});
