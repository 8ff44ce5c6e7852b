import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { grant } from "@/lib/credits/ledger";
import { freshDb } from "@/test/db";
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
});
