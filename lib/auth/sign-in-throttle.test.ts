import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { signInWithPassword } from "./accounts";
import { hashPassword } from "./passwords";

const PASSWORD = "correct-horse-battery";
// One fixed moment, so every attempt in a test lands in the same 5-minute window.
const now = new Date("2026-12-01T10:00:30Z");

let db: Db;
let passwordHash: string;
beforeAll(async () => {
  ({ db } = await freshDb());
  passwordHash = await hashPassword(PASSWORD);
});

const newAccount = async () =>
  (await db.user.create({ data: { email: `si-${randomUUID()}@example.test`, passwordHash } })).email;
const newIp = () => `203.0.113.${Math.floor(Math.random() * 250)}-${randomUUID().slice(0, 8)}`;

/** The outcome a person sees: "signed in", or the refusal's words. */
const attempt = (email: string, password: string, ip: string, at = now) =>
  signInWithPassword(db, { email, password }, ip, at).then(
    () => "signed in",
    (e: Error) => e.message,
  );
const TOO_MANY = /^Too many failed sign-in attempts\. Try again in \d+ minute\(s\)\.$/;
const WRONG = "Wrong email or password.";

describe("signing in", () => {
  it("lets a person sign in correctly as often as they like", async () => {
    const email = await newAccount();
    const ip = newIp();
    for (let i = 0; i < 12; i++) expect(await attempt(email, PASSWORD, ip), `sign-in ${i + 1}`).toBe("signed in");
  });

  it("locks an account after 5 wrong passwords, even against the right one, from any address", async () => {
    const email = await newAccount();
    for (let i = 0; i < 5; i++) expect(await attempt(email, "wrong-password", newIp())).toBe(WRONG);
    expect(await attempt(email, PASSWORD, newIp())).toMatch(TOO_MANY);
    expect(await attempt(email, "wrong-password", newIp())).toMatch(TOO_MANY);
  });

  it("lets the account in again once the window has passed", async () => {
    const email = await newAccount();
    for (let i = 0; i < 5; i++) await attempt(email, "wrong-password", newIp());
    expect(await attempt(email, PASSWORD, newIp())).toMatch(TOO_MANY);
    expect(await attempt(email, PASSWORD, newIp(), new Date(now.getTime() + 300_000))).toBe("signed in");
  });

  it("forgets an account's failures when it signs in correctly", async () => {
    const email = await newAccount();
    const ip = newIp();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect(await attempt(email, "wrong-password", ip)).toBe(WRONG);
      expect(await attempt(email, PASSWORD, ip), `round ${round + 1}`).toBe("signed in");
    }
  });

  it("counts wrong passwords for an email nobody has, so a lockout does not tell whether it exists", async () => {
    const email = `nobody-${randomUUID()}@example.test`;
    for (let i = 0; i < 5; i++) expect(await attempt(email, "guess", newIp())).toBe(WRONG);
    expect(await attempt(email, "guess", newIp())).toMatch(TOO_MANY);
  });

  it("does not let one account's lockout touch another's", async () => {
    const [locked, other] = [await newAccount(), await newAccount()];
    const ip = newIp();
    for (let i = 0; i < 5; i++) await attempt(locked, "wrong-password", ip);
    expect(await attempt(other, PASSWORD, ip)).toBe("signed in");
  });
});

describe("one address guessing across many accounts", () => {
  it("is stopped after 30 wrong passwords, while the same accounts still sign in from elsewhere", async () => {
    const ip = newIp();
    const accounts = await Promise.all(Array.from({ length: 10 }, newAccount));
    for (let i = 0; i < 30; i++) expect(await attempt(accounts[i % 10], "wrong-password", ip)).toBe(WRONG);
    expect(await attempt(accounts[0], PASSWORD, ip)).toMatch(TOO_MANY);
    expect(await attempt(await newAccount(), PASSWORD, ip)).toMatch(TOO_MANY);
    expect(await attempt(await newAccount(), PASSWORD, newIp())).toBe("signed in");
  });

  it("cannot clear its count by signing in to an account of its own between guesses", async () => {
    const ip = newIp();
    const own = await newAccount();
    for (let i = 0; i < 29; i++) await attempt(await newAccount(), "wrong-password", ip);
    expect(await attempt(own, PASSWORD, ip)).toBe("signed in");
    expect(await attempt(await newAccount(), "wrong-password", ip)).toBe(WRONG);
    expect(await attempt(own, PASSWORD, ip)).toMatch(TOO_MANY);
  });

  it("does not lock an account by attempts refused before its password was checked", async () => {
    const ip = newIp();
    for (let i = 0; i < 30; i++) await attempt(`x-${randomUUID()}@example.test`, "guess", ip);
    const email = await newAccount();
    for (let i = 0; i < 8; i++) expect(await attempt(email, PASSWORD, ip)).toMatch(TOO_MANY);
    expect(await attempt(email, PASSWORD, newIp())).toBe("signed in");
  });
});

describe("guesses sent at once", () => {
  it("get no more than 5 password checks for one account", async () => {
    const email = await newAccount();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempt(email, "wrong-password", newIp())));
    expect(outcomes.filter((o) => o === WRONG)).toHaveLength(5);
    expect(outcomes.filter((o) => TOO_MANY.test(o))).toHaveLength(15);
    expect(await attempt(email, PASSWORD, newIp())).toMatch(TOO_MANY);
  });
});
