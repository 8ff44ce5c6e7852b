import type { JsonObject } from "./assistant";
import type { WebhookAuth } from "./config";
import { HttpError } from "./http";
import { timeOrderedId } from "./ids";
import { isPlainObject } from "./merge";

/** A webhook credential (§1.2) as stored: `authenticationPlan` keeps its secret. */
type StoredCredential = {
  id: string;
  orgId: string;
  provider: "webhook" | "custom-credential";
  name?: string;
  authenticationPlan: JsonObject & { type: "hmac" | "bearer" };
  createdAt: string;
  updatedAt: string;
};

const SECRET_FIELDS = ["secretKey", "token"];

/** POST/GET /credential: webhook credentials an assistant's `server.credentialId` can name. */
export class CredentialStore {
  private readonly credentials = new Map<string, StoredCredential>();

  constructor(private readonly orgId: string) {}

  create(body: JsonObject): JsonObject {
    const provider = body.provider ?? "webhook";
    if (provider !== "webhook" && provider !== "custom-credential") {
      throw new HttpError(
        400,
        "The Vapi emulator stores webhook credentials only (provider: webhook or custom-credential).",
      );
    }
    const plan = parsePlan(body.authenticationPlan);
    const now = new Date().toISOString();
    const credential: StoredCredential = {
      id: timeOrderedId(Date.now()),
      orgId: this.orgId,
      provider,
      ...(typeof body.name === "string" ? { name: body.name } : {}),
      authenticationPlan: plan,
      createdAt: now,
      updatedAt: now,
    };
    this.credentials.set(credential.id, credential);
    return publicView(credential);
  }

  list(): JsonObject[] {
    return [...this.credentials.values()].reverse().map(publicView);
  }

  /** How deliveries to a server with this `credentialId` are authenticated. */
  authFor(credentialId: string): WebhookAuth {
    const credential = this.credentials.get(credentialId);
    if (!credential) throw new HttpError(400, `Credential ${credentialId} not found.`);
    const plan = credential.authenticationPlan;
    if (plan.type === "hmac") return { type: "hmac", secret: String(plan.secretKey), timestampUnit: "ms" };
    const prefixed = plan.bearerPrefixEnabled !== false;
    const header = typeof plan.headerName === "string" ? plan.headerName.toLowerCase() : "authorization";
    if (!prefixed && header === "x-vapi-secret") return { type: "secret", secret: String(plan.token) };
    return { type: "bearer", token: String(plan.token) };
  }
}

function parsePlan(plan: unknown): StoredCredential["authenticationPlan"] {
  if (!isPlainObject(plan)) throw new HttpError(400, ["authenticationPlan must be an object"]);
  if (plan.type === "hmac") {
    if (typeof plan.secretKey !== "string" || plan.secretKey === "")
      throw new HttpError(400, ["authenticationPlan.secretKey must be a string"]);
    // Only Vapi's defaults are emulated: a credential asking for anything else would sign differently.
    for (const [field, fallback] of Object.entries(HMAC_DEFAULTS)) {
      if (plan[field] !== undefined && plan[field] !== fallback) {
        throw new HttpError(
          400,
          `The Vapi emulator signs with HMAC defaults only (${field}: ${JSON.stringify(fallback)}).`,
        );
      }
    }
    return { ...plan, type: "hmac", algorithm: plan.algorithm ?? "sha256" };
  }
  if (plan.type === "bearer") {
    if (typeof plan.token !== "string" || plan.token === "")
      throw new HttpError(400, ["authenticationPlan.token must be a string"]);
    return { ...plan, type: "bearer" };
  }
  throw new HttpError(400, ["authenticationPlan.type must be one of: hmac, bearer"]);
}

const HMAC_DEFAULTS: Record<string, unknown> = {
  algorithm: "sha256",
  signatureHeader: "x-signature",
  timestampHeader: "x-timestamp",
  signaturePrefix: "",
  includeTimestamp: true,
  payloadFormat: "{timestamp}.{body}",
  signatureEncoding: "hex",
  secretIsBase64: false,
};

/** Secrets never come back out of the API (UNCONFIRMED for Vapi; the safe assumption for a client). */
function publicView(credential: StoredCredential): JsonObject {
  const plan = Object.fromEntries(
    Object.entries(credential.authenticationPlan).filter(([key]) => !SECRET_FIELDS.includes(key)),
  );
  return { ...credential, authenticationPlan: plan };
}
