import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { anOperator, billedCall } from "@/test/dashboard-fixtures";
import { USERS_PAGE_SIZE, getUserDetail, searchUsers } from "./users";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
  for (let i = 1; i <= 30; i++) {
    await userWithCredits(db, i, { email: `alpha-${String(i).padStart(2, "0")}@example.test` });
  }
  await userWithCredits(db, 0, { email: "beta@example.test" });
  await db.user.create({ data: { email: "percent@example.test", name: "Carol 100% Real", passwordHash: "x" } });
  await db.user.create({ data: { email: "under_score@example.test", passwordHash: "x" } });
});

describe("searching users", () => {
  it("pages through everyone, newest first", async () => {
    const first = await searchUsers(db, anOperator, { page: 1 });
    expect(first.pageInfo).toEqual({ page: 1, pageSize: USERS_PAGE_SIZE, total: 33, pages: 2 });
    expect(first.users).toHaveLength(USERS_PAGE_SIZE);
    expect(first.users[0].email).toBe("under_score@example.test");
    const second = await searchUsers(db, anOperator, { page: 2 });
    expect(second.users).toHaveLength(8);
    const all = [...first.users, ...second.users].map((u) => u.id);
    expect(new Set(all).size).toBe(33);
  });

  it("matches email or name, case-insensitively", async () => {
    const alpha = await searchUsers(db, anOperator, { q: "ALPHA-", page: 2 });
    expect(alpha.pageInfo.total).toBe(30);
    expect(alpha.users.map((u) => u.email)).toEqual([
      "alpha-05@example.test",
      "alpha-04@example.test",
      "alpha-03@example.test",
      "alpha-02@example.test",
      "alpha-01@example.test",
    ]);
    expect((await searchUsers(db, anOperator, { q: "carol", page: 1 })).users.map((u) => u.email)).toEqual([
      "percent@example.test",
    ]);
  });

  it("takes % and _ in the query literally", async () => {
    expect((await searchUsers(db, anOperator, { q: "100%", page: 1 })).users.map((u) => u.email)).toEqual([
      "percent@example.test",
    ]);
    expect((await searchUsers(db, anOperator, { q: "r_s", page: 1 })).users.map((u) => u.email)).toEqual([
      "under_score@example.test",
    ]);
    expect((await searchUsers(db, anOperator, { q: "%", page: 1 })).pageInfo.total).toBe(1);
  });

  it("shows balance, held credits and the last call", async () => {
    const user = await userWithCredits(db, 50, { email: "caller@example.test" });
    await billedCall(db, user.id, {
      startedAt: new Date("2026-01-01T10:00:00Z"),
      held: 20,
      charged: 5,
      usedSeconds: 30,
    });
    await billedCall(db, user.id, { startedAt: new Date("2026-01-02T10:00:00Z"), held: 20, live: true });
    const [row] = (await searchUsers(db, anOperator, { q: "caller@", page: 1 })).users;
    expect(row).toMatchObject({
      available: 25,
      held: 20,
      role: "USER",
      suspendedAt: null,
      lastCallAt: new Date("2026-01-02T10:00:00Z"),
    });
  });
});

describe("one user", () => {
  it("pages the ledger, newest first, and lists calls", async () => {
    const user = await userWithCredits(db, 0, { email: "ledger@example.test" });
    for (let i = 0; i < 55; i++)
      await db.ledgerEntry.create({
        data: {
          userId: user.id,
          kind: "GRANT",
          availableDelta: 1,
          heldDelta: 0,
          actor: "test",
          idempotencyKey: `l-${user.id}-${i}`,
        },
      });
    await db.user.update({ where: { id: user.id }, data: { available: 55 } });
    const page1 = await getUserDetail(db, anOperator, user.id, 1);
    const page2 = await getUserDetail(db, anOperator, user.id, 2);
    expect(page1?.ledgerPageInfo).toMatchObject({ total: 55, pages: 2 });
    expect(page1?.ledger).toHaveLength(50);
    expect(page2?.ledger).toHaveLength(5);
    expect(page2?.ledger.at(-1)?.idempotencyKey).toBe(`l-${user.id}-0`);
    expect(await getUserDetail(db, anOperator, "no-such-user", 1)).toBeNull();
  });
});
