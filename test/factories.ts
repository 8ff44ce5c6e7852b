import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client";
import { grant } from "@/lib/credits/ledger";

/** A user with `credits` granted through the ledger (never written straight to the balance). */
export async function userWithCredits(
  db: Db,
  credits: number,
  data: { role?: "USER" | "OPERATOR"; email?: string } = {},
) {
  const user = await db.user.create({
    data: { email: data.email ?? `u-${randomUUID()}@example.test`, passwordHash: "x", role: data.role ?? "USER" },
  });
  if (credits > 0)
    await grant(db, {
      userId: user.id,
      credits,
      actor: "test",
      reason: "test setup",
      idempotencyKey: `setup:${user.id}`,
    });
  return user;
}
