import type { IncomingMessage } from "node:http";
import { errors as joseErrors, jwtVerify } from "jose";
import type { ResolvedConfig, TokenRestrictions } from "./config";
import { bearerToken, HttpError } from "./http";
import { isPlainObject } from "./merge";

/** Who is calling the REST API, and under which public-key restrictions. */
export type Caller =
  { kind: "public"; via: "key" | "jwt"; restrictions: TokenRestrictions } | { kind: "private"; via: "key" | "jwt" };

const INVALID_KEY =
  "Invalid Key. Hot tip, make sure you're using the private key for the REST API and the public key for the web SDK.";

const NO_RESTRICTIONS: TokenRestrictions = { enabled: true };

/** A public or private key, or a JWT signed with the private key (HS256), per §6.2. */
export async function identifyCaller(req: IncomingMessage, config: ResolvedConfig): Promise<Caller> {
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, "Missing Authorization header. Use `Bearer <key>`.");
  if (token === config.privateKey) return { kind: "private", via: "key" };
  if (token === config.publicKey) {
    return { kind: "public", via: "key", restrictions: config.publicKeyRestrictions };
  }
  if (token.split(".").length === 3) return identifyJwt(token, config);
  throw new HttpError(401, INVALID_KEY);
}

async function identifyJwt(token: string, config: ResolvedConfig): Promise<Caller> {
  let payload: Record<string, unknown>;
  try {
    const secret = new TextEncoder().encode(config.privateKey);
    ({ payload } = await jwtVerify(token, secret, { algorithms: ["HS256"] }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new HttpError(401, "JWT has expired.");
    throw new HttpError(401, INVALID_KEY);
  }
  const inner = payload.token;
  if (payload.orgId !== config.orgId || !isPlainObject(inner)) throw new HttpError(401, INVALID_KEY);
  if (inner.tag === "private") return { kind: "private", via: "jwt" };
  if (inner.tag !== "public") throw new HttpError(401, INVALID_KEY);
  const restrictions = isPlainObject(inner.restrictions) ? (inner.restrictions as TokenRestrictions) : NO_RESTRICTIONS;
  return { kind: "public", via: "jwt", restrictions };
}

export async function requirePrivateKey(req: IncomingMessage, config: ResolvedConfig): Promise<void> {
  const caller = await identifyCaller(req, config);
  if (caller.kind !== "private") throw new HttpError(401, INVALID_KEY);
}

export type WebCallTarget = { assistantId?: string; transientAssistant: boolean };

/**
 * Token restrictions for POST /call/web. A disabled key is as good as an invalid one (401); a valid
 * key used outside its restrictions is authenticated but not permitted (403).
 */
export function enforceRestrictions(caller: Caller, origin: string | undefined, target: WebCallTarget): void {
  if (caller.kind === "private") return;
  const { restrictions } = caller;
  if (restrictions.enabled === false) throw new HttpError(401, "This key is disabled.");
  if (restrictions.allowedOrigins?.length && !originAllowed(origin, restrictions.allowedOrigins)) {
    throw new HttpError(403, `Origin ${origin ?? "(none)"} is not allowed for this key.`);
  }
  if (restrictions.allowedAssistantIds?.length) {
    if (!target.assistantId || !restrictions.allowedAssistantIds.includes(target.assistantId)) {
      throw new HttpError(403, `Assistant ${target.assistantId ?? "(transient)"} is not allowed for this key.`);
    }
  }
  const transientAllowed = restrictions.allowedAssistantIds?.length
    ? false
    : (restrictions.allowTransientAssistant ?? true);
  if (target.transientAssistant && !transientAllowed) {
    throw new HttpError(403, "Transient assistants are not allowed for this key.");
  }
}

/** Entries may be full origins (`https://app.example.com`) or bare hosts (`app.example.com`). */
function originAllowed(origin: string | undefined, allowed: string[]): boolean {
  if (!origin) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    const trimmed = entry.trim().replace(/\/+$/, "");
    return trimmed === origin || trimmed === host;
  });
}
