import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { dateFromEpoch } from "./epoch";

export type AuthMode = "secret" | "bearer" | "hmac";

/** The credentials we accept; a mode without a value here is refused even if its header is valid. */
export type AcceptedAuth = { secret?: string; bearer?: string; hmac?: string };

export type VerifyFailure =
  | "no-accepted-mode"
  | "missing-auth"
  | "mode-not-accepted"
  | "bad-secret"
  | "bad-bearer"
  | "bad-signature"
  | "missing-timestamp"
  | "bad-timestamp"
  | "stale-timestamp";

export type VerifyResult = { ok: true; mode: AuthMode } | { ok: false; reason: VerifyFailure };

export const SECRET_HEADER = "x-vapi-secret";
export const SIGNATURE_HEADER = "x-signature";
export const TIMESTAMP_HEADER = "x-timestamp";

export type VerifyServerMessageInput = {
  headers: Headers;
  /** The exact bytes received, decoded as UTF-8: re-serialized JSON would not match the signature. */
  rawBody: string;
  accept: AcceptedAuth;
  now: Date;
  toleranceSeconds?: number;
};

export function verifyServerMessage({
  headers,
  rawBody,
  accept,
  now,
  toleranceSeconds = 300,
}: VerifyServerMessageInput): VerifyResult {
  const checks: Array<{ mode: AuthMode; present: boolean; check: () => VerifyResult }> = [
    {
      mode: "hmac",
      present: headers.has(SIGNATURE_HEADER),
      check: () => checkHmac(headers, rawBody, accept.hmac!, now, toleranceSeconds),
    },
    {
      mode: "bearer",
      present: headers.has("authorization"),
      check: () => checkBearer(headers.get("authorization")!, accept.bearer!),
    },
    {
      mode: "secret",
      present: headers.has(SECRET_HEADER),
      check: () => checkSecret(headers.get(SECRET_HEADER)!, accept.secret!),
    },
  ];

  const accepted = checks.filter(({ mode }) => Boolean(accept[mode]));
  if (accepted.length === 0) return { ok: false, reason: "no-accepted-mode" };

  const presented = accepted.filter(({ present }) => present);
  if (presented.length === 0) {
    const otherModePresented = checks.some(({ present }) => present);
    return { ok: false, reason: otherModePresented ? "mode-not-accepted" : "missing-auth" };
  }

  // Each header is checked on its own merit; one valid accepted credential is enough.
  const results = presented.map(({ check }) => check());
  return results.find((result) => result.ok) ?? results[0];
}

/** Hex HMAC-SHA256 of `"{timestamp}.{body}"`, as a Vapi HMAC credential sends it by default. */
export function signHmac(secret: string, timestamp: string | number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

function checkSecret(provided: string, expected: string): VerifyResult {
  return constantTimeEqual(provided, expected) ? { ok: true, mode: "secret" } : { ok: false, reason: "bad-secret" };
}

function checkBearer(authorization: string, expected: string): VerifyResult {
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  const token = match?.[1]?.trim() ?? "";
  // Compare even when the scheme is wrong, so that path costs the same.
  const equal = constantTimeEqual(token, expected);
  return match && equal ? { ok: true, mode: "bearer" } : { ok: false, reason: "bad-bearer" };
}

function checkHmac(
  headers: Headers,
  rawBody: string,
  secret: string,
  now: Date,
  toleranceSeconds: number,
): VerifyResult {
  const timestamp = headers.get(TIMESTAMP_HEADER)?.trim();
  if (!timestamp) return { ok: false, reason: "missing-timestamp" };
  const signedAt = /^\d+(\.\d+)?$/.test(timestamp) ? dateFromEpoch(Number(timestamp)) : undefined;
  if (!signedAt) return { ok: false, reason: "bad-timestamp" };

  const provided = (headers.get(SIGNATURE_HEADER) ?? "")
    .trim()
    .replace(/^sha256=/i, "")
    .toLowerCase();
  const expected = signHmac(secret, timestamp, rawBody);
  if (!constantTimeEqual(provided, expected)) return { ok: false, reason: "bad-signature" };

  const skewMs = Math.abs(now.getTime() - signedAt.getTime());
  if (skewMs > toleranceSeconds * 1000) return { ok: false, reason: "stale-timestamp" };
  return { ok: true, mode: "hmac" };
}

/** Compares digests of both sides, so neither the content nor the length of the secret leaks. */
function constantTimeEqual(provided: string, expected: string): boolean {
  const a = createHash("sha256").update(provided).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
