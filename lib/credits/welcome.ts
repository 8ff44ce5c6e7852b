import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { grant } from "./ledger";

const WelcomeEnv = z.object({ COACH_SIGNUP_CREDITS: z.coerce.number().int().min(0).max(1_000_000).default(20) });

/** What a new account starts with (`COACH_SIGNUP_CREDITS`, default 20: two minutes at the default price); 0 turns it off. */
export function signupCreditsFromEnv(env: Record<string, string | undefined> = process.env): number {
  return WelcomeEnv.parse(env).COACH_SIGNUP_CREDITS;
}

/** A new account's first credits, through the ledger like any other, and never twice. */
export async function grantWelcomeCredits(db: Db, userId: string, credits: number): Promise<void> {
  if (credits <= 0) return;
  await grant(db, {
    userId,
    credits,
    actor: "system:signup",
    reason: "welcome credits",
    idempotencyKey: `signup:${userId}`,
  });
}
