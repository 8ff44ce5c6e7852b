import type { Db } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/passwords";
import { grant } from "@/lib/credits/ledger";

export const DEMO_USER = { email: "demo@coach.test", password: "demo-password", credits: 100 };
export const DEMO_OPERATOR = { email: "operator@coach.test", password: "operator-password" };

/** Seeds a fresh database with a demo user (with credits) and a demo operator; does nothing twice. */
export async function seedDemo(db: Db) {
  if (await db.user.count()) return false;
  const user = await db.user.create({
    data: { email: DEMO_USER.email, name: "Demo User", passwordHash: await hashPassword(DEMO_USER.password) },
  });
  await db.user.create({
    data: {
      email: DEMO_OPERATOR.email,
      name: "Demo Operator",
      role: "OPERATOR",
      passwordHash: await hashPassword(DEMO_OPERATOR.password),
    },
  });
  await grant(db, {
    userId: user.id,
    credits: DEMO_USER.credits,
    actor: "seed",
    reason: "demo credits",
    idempotencyKey: "seed:demo-user",
  });
  return true;
}
