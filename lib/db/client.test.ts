import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { grant } from "@/lib/credits/ledger";
import { freshDb } from "@/test/db";
import { prepared } from "./client";
import { userWithCredits } from "@/test/factories";

describe("the database client", () => {
  it("runs a transaction that waited longer than Prisma's default maxWait (2 s) for a pooled connection", async () => {
    const { db } = await freshDb();
    const user = await userWithCredits(db, 0);
    // A burst, or a loaded machine: every connection busy for a while.
    const busy = await Promise.all(Array.from({ length: db.pool.options.max ?? 10 }, () => db.pool.connect()));
    const granted = grant(db, {
      userId: user.id,
      credits: 5,
      actor: "test",
      reason: "test",
      idempotencyKey: randomUUID(),
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    for (const connection of busy) connection.release();
    await expect(granted).resolves.toMatchObject({ availableDelta: 5 });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ available: 5 });
  });

  it("prepares a hot statement once per connection, under one name per text", async () => {
    const { db } = await freshDb();
    const select = (n: number) => prepared({ text: "SELECT $1::int + 1 AS next", values: [n] });
    expect(select(1).name).toBe(select(2).name);
    expect(prepared({ text: "SELECT $1::int + 2 AS next", values: [1] }).name).not.toBe(select(1).name);
    const connection = await db.pool.connect();
    try {
      expect((await connection.query(select(1))).rows).toEqual([{ next: 2 }]);
      expect((await connection.query(select(41))).rows).toEqual([{ next: 42 }]);
      const { rows } = await connection.query(`SELECT name, statement FROM pg_prepared_statements WHERE name = $1`, [
        select(0).name,
      ]);
      expect(rows).toEqual([{ name: select(0).name, statement: "SELECT $1::int + 1 AS next" }]);
    } finally {
      connection.release();
    }
  });
});
