import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The proof that our server started a call: HMAC-SHA256 over the reservation id, the user id and
 * an expiry. It travels through the browser inside the call's metadata, so it is only as good as
 * its signature; the reservation binding makes it single-use.
 */
export type StartTokenClaims = { reservationId: string; userId: string; expiresAt: Date };

export type StartTokenCheck =
  | { ok: true; claims: StartTokenClaims }
  | { ok: false; reason: "MISSING_TOKEN" | "MALFORMED_TOKEN" | "BAD_SIGNATURE" | "EXPIRED_TOKEN" };

const VERSION = "st1";

function mac(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(payload).digest();
}

export function signStartToken(secret: string, claims: StartTokenClaims): string {
  const payload = [VERSION, claims.reservationId, claims.userId, Math.floor(claims.expiresAt.getTime() / 1000)].join(
    ".",
  );
  return `${payload}.${mac(secret, payload).toString("base64url")}`;
}

export function verifyStartToken(secret: string, token: unknown, at: Date): StartTokenCheck {
  if (typeof token !== "string" || !token) return { ok: false, reason: "MISSING_TOKEN" };
  const parts = token.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, reason: "MALFORMED_TOKEN" };
  const [, reservationId, userId, exp, signature] = parts;
  const expected = mac(secret, parts.slice(0, 4).join("."));
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "BAD_SIGNATURE" };
  const expiresAt = new Date(Number(exp) * 1000);
  if (!Number.isFinite(expiresAt.getTime())) return { ok: false, reason: "MALFORMED_TOKEN" };
  if (at.getTime() > expiresAt.getTime()) return { ok: false, reason: "EXPIRED_TOKEN" };
  return { ok: true, claims: { reservationId, userId, expiresAt } };
}
