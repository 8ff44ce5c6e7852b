import { SignJWT } from "jose";

export const MAX_PUBLIC_JWT_TTL_SECONDS = 60;

export type MintPublicCallJwtInput = {
  orgId: string;
  /** The org's PRIVATE API key: Vapi verifies the JWT with it. */
  privateKey: string;
  assistantId: string;
  allowedOrigins: string[];
  ttlSeconds: number;
  now?: Date;
};

/**
 * A short-lived public-tag JWT for `new Vapi(jwt)` in the browser (vapi-protocol.md §6.2): good for
 * POST /call/web only, from our origins, for our one assistant. Vapi does not name the algorithm;
 * HS256 is what `jsonwebtoken` defaults to in public integrations.
 */
export async function mintPublicCallJwt({
  orgId,
  privateKey,
  assistantId,
  allowedOrigins,
  ttlSeconds,
  now = new Date(),
}: MintPublicCallJwtInput): Promise<string> {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > MAX_PUBLIC_JWT_TTL_SECONDS) {
    throw new RangeError(`ttlSeconds must be an integer in 1..${MAX_PUBLIC_JWT_TTL_SECONDS}`);
  }
  // An empty list would read as "any origin" to anyone who later widens the restrictions.
  if (allowedOrigins.length === 0) throw new RangeError("allowedOrigins must name at least one origin");
  if (!orgId || !privateKey || !assistantId) throw new RangeError("orgId, privateKey and assistantId are required");

  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    orgId,
    token: {
      tag: "public",
      restrictions: {
        enabled: true,
        allowedOrigins,
        allowedAssistantIds: [assistantId],
        allowTransientAssistant: false,
      },
    },
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(new TextEncoder().encode(privateKey));
}
