// Authentication headers, right and wrong (lib/vapi/verify.ts): the stack accepts HMAC only.
import fc from "fast-check";
import { signHmac } from "@/lib/vapi/verify";
import type { AuthSpec } from "./case";

export const authenticAuth: fc.Arbitrary<AuthSpec> = fc.oneof(
  { arbitrary: fc.constant<AuthSpec>({ kind: "hmac", clock: "ms", signature: "hex", skewSeconds: 0 }), weight: 8 },
  {
    arbitrary: fc.record({
      kind: fc.constant("hmac" as const),
      clock: fc.constantFrom("ms" as const, "s" as const, "ms-float" as const),
      signature: fc.constantFrom("hex" as const, "HEX" as const, "sha256=" as const),
      // Inside the 300 s tolerance, with room for a slow request.
      skewSeconds: fc.integer({ min: -240, max: 240 }),
      alongside: fc.constantFrom(undefined, "wrong-secret" as const, "wrong-bearer" as const),
    }),
    weight: 2,
  },
);

/** Printable Latin-1 only: Node refuses to send other header bytes. */
const headerText = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

export const failingAuth: fc.Arbitrary<AuthSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("hmac-stale" as const),
    skewSeconds: fc.oneof(fc.integer({ min: 301, max: 10 ** 8 }), fc.integer({ min: -(10 ** 8), max: -301 })),
  }),
  fc.constant<AuthSpec>({ kind: "hmac-wrong-secret" }),
  fc.constant<AuthSpec>({ kind: "hmac-tampered" }),
  fc.record({
    kind: fc.constant("hmac-odd-timestamp" as const),
    timestamp: fc.constantFrom(
      "",
      "abc",
      "-1",
      "0",
      "1e12",
      "NaN",
      "Infinity",
      "0x65f0c4a0",
      "1".repeat(30),
      "\u00b9\u00b2\u00b3",
      "1710844191246.",
      ".5",
    ),
  }),
  fc.record({
    kind: fc.constant("hmac-garbage" as const),
    signature: headerText,
    timestamp: fc.oneof(headerText, fc.constant(String(Date.now()))),
  }),
  fc.constant<AuthSpec>({ kind: "hmac-no-timestamp" }),
  fc.constant<AuthSpec>({ kind: "timestamp-only" }),
  fc.record({ kind: fc.constant("secret" as const), correct: fc.boolean() }),
  fc.record({
    kind: fc.constant("bearer" as const),
    correct: fc.boolean(),
    scheme: fc.constantFrom("Bearer", "bearer", "Basic", "Token", ""),
  }),
  fc.constant<AuthSpec>({ kind: "none" }),
);

/** The auth headers for `text` (the body as the server decodes it), signed at `now`. */
export function authHeaders(auth: AuthSpec, text: string, secret: string, now: number): Record<string, string> {
  const sign = (timestamp: string, body = text, key = secret) => signHmac(key, timestamp, body);
  switch (auth.kind) {
    case "hmac": {
      const at = now + auth.skewSeconds * 1000;
      const timestamp =
        auth.clock === "s" ? String(Math.floor(at / 1000)) : auth.clock === "ms-float" ? `${at}.001` : String(at);
      const hex = sign(timestamp);
      const signature =
        auth.signature === "HEX" ? hex.toUpperCase() : auth.signature === "sha256=" ? `sha256=${hex}` : hex;
      const extra: Record<string, string> =
        auth.alongside === "wrong-secret"
          ? { "x-vapi-secret": "guess" }
          : auth.alongside === "wrong-bearer"
            ? { authorization: "Bearer guess" }
            : {};
      return { "x-timestamp": timestamp, "x-signature": signature, ...extra };
    }
    case "hmac-stale": {
      const timestamp = String(Math.max(0, now + auth.skewSeconds * 1000));
      return { "x-timestamp": timestamp, "x-signature": sign(timestamp) };
    }
    case "hmac-wrong-secret":
      return { "x-timestamp": String(now), "x-signature": sign(String(now), text, `${secret}-not`) };
    case "hmac-tampered":
      return { "x-timestamp": String(now), "x-signature": sign(String(now), `${text} `) };
    case "hmac-odd-timestamp":
      return { "x-timestamp": auth.timestamp, "x-signature": sign(auth.timestamp) };
    case "hmac-garbage":
      return { "x-timestamp": auth.timestamp, "x-signature": auth.signature };
    case "hmac-no-timestamp":
      return { "x-signature": sign(String(now)) };
    case "timestamp-only":
      return { "x-timestamp": String(now) };
    case "secret":
      return { "x-vapi-secret": auth.correct ? secret : "guess" };
    case "bearer":
      return { authorization: `${auth.scheme} ${auth.correct ? secret : "guess"}`.trim() };
    case "none":
      return {};
  }
}
