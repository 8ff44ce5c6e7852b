import { createHmac } from "node:crypto";
import type { WebhookAuth } from "./config";

/** Hex HMAC-SHA256 of `"{timestamp}.{body}"`: the defaults of a Vapi HMAC credential. */
export function hmacSignature(secret: string, timestamp: string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The headers one delivery carries for the effective server's authentication. */
export function authHeaders(auth: WebhookAuth, body: string, now = Date.now()): Record<string, string> {
  switch (auth.type) {
    case "none":
      return {};
    case "secret":
      return { "x-vapi-secret": auth.secret };
    case "bearer":
      return { authorization: `Bearer ${auth.token}` };
    case "hmac": {
      const timestamp = String(auth.timestampUnit === "s" ? Math.floor(now / 1000) : now);
      return { "x-signature": hmacSignature(auth.secret, timestamp, body), "x-timestamp": timestamp };
    }
  }
}
