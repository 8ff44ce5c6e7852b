import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import type { Db } from "@/lib/db/client";
import { LedgerError } from "./errors";
import { adjust, capture, expireStale, grant, release, reserve, type ReserveRequest } from "./ledger";
import { checkInvariants } from "./invariants";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});
afterEach(async () => {
  expect(await checkInvariants(db)).toEqual([]);
});

const inAMinute = () => new Date(Date.now() + 60_000);
const request = (userId: string, over: Partial<ReserveRequest> = {}): ReserveRequest => ({
  userId,
  minCredits: 5,
  maxCredits: 300,
  secondsFor: (c) => c * 6,
  expiresAt: inAMinute(),
  idempotencyKey: randomUUID(),
  actor: userId,
  ...over,
});
const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === "rejected" ? (r.reason as LedgerError).code : "ok");
const balance = (id: string) => db.user.findUniqueOrThrow({ where: { id }, select: { available: true, held: true } });

describe("reserve", () => {
  it("lets exactly one of 20 concurrent reservations for one user through", async () => {
    const user = await userWithCredits(db, 10_000);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => reserve(db, request(user.id))));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.map(codeOf).filter((c) => c !== "ok")).toEqual(Array(19).fill("already-in-call"));
    expect(await db.reservation.count({ where: { userId: user.id } })).toBe(1);
    expect(await balance(user.id)).toEqual({ available: 9_700, held: 300 });
  });

  it("serves 50 users reserving at once", async () => {
    const users = await Promise.all(Array.from({ length: 50 }, () => userWithCredits(db, 100)));
    const results = await Promise.all(users.map((u) => reserve(db, request(u.id))));
    expect(results.map((r) => r.credits)).toEqual(Array(50).fill(100));
  });

  it("refuses a balance below the minimum and holds nothing", async () => {
    const user = await userWithCredits(db, 4);
    await expect(reserve(db, request(user.id))).rejects.toMatchObject({ code: "insufficient-credits" });
    expect(await balance(user.id)).toEqual({ available: 4, held: 0 });
  });

  it("holds the whole balance up to the per-call cap, with the seconds it pays for", async () => {
    const user = await userWithCredits(db, 42);
    const reservation = await reserve(db, request(user.id, { maxCredits: 30 }));
    expect(reservation).toMatchObject({ credits: 30, seconds: 180, status: "HELD" });
    expect(await balance(user.id)).toEqual({ available: 12, held: 30 });
  });

  it("returns the first reservation when retried with the same key", async () => {
    const user = await userWithCredits(db, 100);
    const req = request(user.id);
    const [a, b] = await Promise.all([reserve(db, req), reserve(db, req)]);
    expect(b.id).toBe(a.id);
    expect(await reserve(db, req)).toMatchObject({ id: a.id });
    expect(await db.ledgerEntry.count({ where: { userId: user.id, kind: "HOLD" } })).toBe(1);
  });
});

describe("capture, release, expire", () => {
  it("captures what was used and releases the rest", async () => {
    const user = await userWithCredits(db, 100);
    const r = await reserve(db, request(user.id, { maxCredits: 50 }));
    const closed = await capture(db, r.id, 12);
    expect(closed).toMatchObject({ status: "CAPTURED", capturedCredits: 12, releasedCredits: 38 });
    expect(await balance(user.id)).toEqual({ available: 88, held: 0 });
  });

  it("captures no more than held and never goes negative", async () => {
    const user = await userWithCredits(db, 20);
    const r = await reserve(db, request(user.id));
    expect(await capture(db, r.id, 999)).toMatchObject({ capturedCredits: 20, releasedCredits: 0 });
    expect(await balance(user.id)).toEqual({ available: 0, held: 0 });
  });

  it("captures once when the same capture arrives twice at once", async () => {
    const user = await userWithCredits(db, 100);
    const r = await reserve(db, request(user.id));
    const [a, b] = await Promise.all([capture(db, r.id, 30), capture(db, r.id, 30)]);
    expect(a.capturedCredits).toBe(30);
    expect(b.capturedCredits).toBe(30);
    expect(await db.ledgerEntry.count({ where: { reservationId: r.id, kind: "CAPTURE" } })).toBe(1);
    expect(await balance(user.id)).toEqual({ available: 70, held: 0 });
  });

  it("refuses a release after a capture", async () => {
    const user = await userWithCredits(db, 100);
    const r = await reserve(db, request(user.id));
    await capture(db, r.id, 10);
    await expect(release(db, r.id, "user hung up")).rejects.toMatchObject({ code: "reservation-closed" });
    expect(await balance(user.id)).toEqual({ available: 90, held: 0 });
  });

  it("expires a reservation nobody started, and not one bound to a call", async () => {
    const idle = await userWithCredits(db, 100);
    const busy = await userWithCredits(db, 100);
    const past = new Date(Date.now() + 1_000);
    const r1 = await reserve(db, request(idle.id, { expiresAt: past }));
    const r2 = await reserve(db, request(busy.id, { expiresAt: past }));
    await db.reservation.update({
      where: { id: r2.id },
      data: { vapiCallId: `call-${randomUUID()}`, boundAt: new Date() },
    });
    const expired = await expireStale(db, new Date(Date.now() + 2_000));
    expect(expired.map((r) => r.id)).toContain(r1.id);
    expect(expired.map((r) => r.id)).not.toContain(r2.id);
    expect(await balance(idle.id)).toEqual({ available: 100, held: 0 });
    expect(await balance(busy.id)).toEqual({ available: 0, held: 100 });
    await capture(db, r2.id, 1);
  });
});

describe("grants and adjustments", () => {
  it("applies the same key once", async () => {
    const user = await userWithCredits(db, 0);
    const g = { userId: user.id, credits: 25, actor: "op", reason: "welcome", idempotencyKey: randomUUID() };
    const [a, b] = await Promise.all([grant(db, g), grant(db, g)]);
    expect(a.id).toBe(b.id);
    expect(await balance(user.id)).toEqual({ available: 25, held: 0 });
  });

  it("refuses a deduction below zero", async () => {
    const user = await userWithCredits(db, 10);
    await expect(
      adjust(db, { userId: user.id, credits: -11, actor: "op", reason: "refund", idempotencyKey: randomUUID() }),
    ).rejects.toMatchObject({ code: "insufficient-credits" });
    await adjust(db, { userId: user.id, credits: -10, actor: "op", reason: "refund", idempotencyKey: randomUUID() });
    expect(await balance(user.id)).toEqual({ available: 0, held: 0 });
  });
});
