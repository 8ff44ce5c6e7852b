import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { AppConfig } from "@/lib/config";
import { reserve } from "@/lib/credits/ledger";
import { maxCreditsPerCall, secondsForCredits, type Pricing } from "@/lib/credits/pricing";
import { hitRateLimit } from "@/lib/rate-limit";
import { mintPublicCallJwt } from "@/lib/vapi/public-jwt";
import { signStartToken } from "./start-token";
import { MAX_DURATION_GRACE_SECONDS, RESERVATION_EXPIRES_AFTER_SECONDS, addSeconds } from "./timing";

export class StartRefused extends Error {
  constructor(
    readonly code: "suspended" | "too-many-attempts" | "not-configured",
    message: string,
  ) {
    super(message);
  }
}

export type CallStart = {
  apiUrl: string;
  vapiKey: string;
  assistantId: string;
  assistantOverrides: {
    metadata: { userId: string; reservationId: string; startToken: string };
    maxDurationSeconds: number;
  };
  reservation: { id: string; credits: number; seconds: number; expiresAt: string };
};

type Starter = { id: string; suspendedAt: Date | null };

/** Why the page should not offer "Talk to coach" right now, in plain words; null when it may. startCall still decides. */
export function startBlocker(user: Starter & { available: number; held: number }, pricing: Pricing): string | null {
  if (user.suspendedAt) return "Your account is suspended. Please contact support.";
  if (user.held > 0) return "You already have a call in progress (maybe in another tab). Finish it first.";
  if (user.available < pricing.minCreditsToStart)
    return `You need at least ${pricing.minCreditsToStart} credits to start a call. You can request more below.`;
  return null;
}

/**
 * Reserves credits for one call and returns what the browser needs to start it. The browser is
 * not trusted with any of it: the webhook checks the token, and binds the call to the reservation.
 */
export async function startCall(
  db: Db,
  user: Starter,
  config: AppConfig,
  pricing: Pricing,
  now = new Date(),
): Promise<CallStart> {
  if (user.suspendedAt) throw new StartRefused("suspended", "Your account is suspended. Please contact support.");
  const attempts = await hitRateLimit(db, `call-start:${user.id}`, 10, 60, now);
  if (!attempts.allowed)
    throw new StartRefused(
      "too-many-attempts",
      `Too many call attempts. Try again in ${attempts.retryAfterSeconds} s.`,
    );

  const expiresAt = addSeconds(now, RESERVATION_EXPIRES_AFTER_SECONDS);
  const reservation = await reserve(db, {
    userId: user.id,
    minCredits: pricing.minCreditsToStart,
    maxCredits: maxCreditsPerCall(pricing),
    secondsFor: (credits) => secondsForCredits(credits, pricing),
    expiresAt,
    idempotencyKey: `start:${randomUUID()}`,
    actor: user.id,
  });
  const startToken = signStartToken(config.startTokenSecret, {
    reservationId: reservation.id,
    userId: user.id,
    expiresAt,
  });
  return {
    apiUrl: config.vapi.apiUrl,
    vapiKey: await browserKey(config),
    assistantId: config.vapi.assistantId,
    assistantOverrides: {
      metadata: { userId: user.id, reservationId: reservation.id, startToken },
      maxDurationSeconds: Math.max(10, reservation.seconds + MAX_DURATION_GRACE_SECONDS),
    },
    reservation: {
      id: reservation.id,
      credits: reservation.credits,
      seconds: reservation.seconds,
      expiresAt: expiresAt.toISOString(),
    },
  };
}

/** A short-lived JWT limited to our assistant and origin when we hold the private key; else the static public key. */
async function browserKey(config: AppConfig): Promise<string> {
  const { vapi } = config;
  if (!vapi.staticPublicKey && vapi.privateKey) {
    return mintPublicCallJwt({
      orgId: vapi.orgId,
      privateKey: vapi.privateKey,
      assistantId: vapi.assistantId,
      allowedOrigins: [new URL(config.appUrl).origin],
      ttlSeconds: 60,
    });
  }
  if (!vapi.publicKey)
    throw new StartRefused("not-configured", "Calls are not configured on this server (no Vapi key).");
  return vapi.publicKey;
}
