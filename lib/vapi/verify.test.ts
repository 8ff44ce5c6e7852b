import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signHmac, verifyServerMessage, type AcceptedAuth } from "./verify";

const HMAC_SECRET = "whsec_test_0123456789";
const BODY = '{"message":{"type":"status-update","status":"ended","call":{"id":"c1"}}}';
const NOW = new Date("2026-09-20T10:00:00.000Z");
const NOW_SECONDS = NOW.getTime() / 1000;

function verify(headers: Record<string, string>, accept: AcceptedAuth, rawBody = BODY) {
  return verifyServerMessage({ headers: new Headers(headers), rawBody, accept, now: NOW });
}

describe("signHmac", () => {
  it("matches a vector computed with openssl", () => {
    // printf '%s' '1700000000.{"message":{"type":"hang"}}' | openssl dgst -sha256 -hmac secret
    expect(signHmac("secret", 1700000000, '{"message":{"type":"hang"}}')).toBe(
      "f259ac3b42843bc72c74a391b77ccd245cdfbc436d9be0a293bb8618dfbcb473",
    );
  });

  it("signs `{timestamp}.{body}` with HMAC-SHA256 in lowercase hex", () => {
    const expected = createHmac("sha256", HMAC_SECRET).update(`${NOW_SECONDS}.${BODY}`).digest("hex");
    expect(signHmac(HMAC_SECRET, NOW_SECONDS, BODY)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("verifyServerMessage with HMAC", () => {
  const accept = { hmac: HMAC_SECRET };
  const signed = (timestamp: number | string, body = BODY, secret = HMAC_SECRET) => ({
    "x-timestamp": String(timestamp),
    "x-signature": signHmac(secret, timestamp, body),
  });

  it("accepts a fresh signature with a timestamp in seconds or in milliseconds", () => {
    expect(verify(signed(NOW_SECONDS - 10), accept)).toEqual({ ok: true, mode: "hmac" });
    expect(verify(signed(NOW.getTime() - 10_000), accept)).toEqual({ ok: true, mode: "hmac" });
  });

  it("accepts the `sha256=` prefix and uppercase hex", () => {
    const headers = signed(NOW_SECONDS);
    expect(verify({ ...headers, "x-signature": `sha256=${headers["x-signature"]}` }, accept).ok).toBe(true);
    expect(verify({ ...headers, "x-signature": headers["x-signature"].toUpperCase() }, accept).ok).toBe(true);
  });

  it("rejects a signature made with another secret", () => {
    expect(verify(signed(NOW_SECONDS, BODY, "other-secret"), accept)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("rejects a body changed after signing", () => {
    expect(verify(signed(NOW_SECONDS), accept, BODY.replace("ended", "in-progress"))).toEqual({
      ok: false,
      reason: "bad-signature",
    });
  });

  it("rejects a signature whose timestamp header was swapped", () => {
    const headers = { ...signed(NOW_SECONDS), "x-timestamp": String(NOW_SECONDS + 1) };
    expect(verify(headers, accept)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("rejects a stale timestamp, in seconds and in milliseconds, both past and future", () => {
    const stale = { ok: false, reason: "stale-timestamp" };
    expect(verify(signed(NOW_SECONDS - 301), accept)).toEqual(stale);
    expect(verify(signed(NOW.getTime() - 301_000), accept)).toEqual(stale);
    expect(verify(signed(NOW_SECONDS + 301), accept)).toEqual(stale);
    expect(verify(signed(NOW_SECONDS - 300), accept).ok).toBe(true);
  });

  it("honours a custom tolerance", () => {
    const result = verifyServerMessage({
      headers: new Headers(signed(NOW_SECONDS - 30)),
      rawBody: BODY,
      accept,
      now: NOW,
      toleranceSeconds: 10,
    });
    expect(result).toEqual({ ok: false, reason: "stale-timestamp" });
  });

  it("rejects a missing or malformed timestamp", () => {
    const { "x-signature": signature } = signed(NOW_SECONDS);
    expect(verify({ "x-signature": signature }, accept)).toEqual({ ok: false, reason: "missing-timestamp" });
    expect(verify({ "x-signature": signature, "x-timestamp": "yesterday" }, accept)).toEqual({
      ok: false,
      reason: "bad-timestamp",
    });
  });
});

describe("verifyServerMessage with a secret or a bearer token", () => {
  it("accepts the legacy X-Vapi-Secret header", () => {
    expect(verify({ "X-Vapi-Secret": "s3cret" }, { secret: "s3cret" })).toEqual({ ok: true, mode: "secret" });
  });

  it("rejects a wrong secret, including a prefix of the right one", () => {
    expect(verify({ "x-vapi-secret": "wrong" }, { secret: "s3cret" })).toEqual({ ok: false, reason: "bad-secret" });
    expect(verify({ "x-vapi-secret": "s3cre" }, { secret: "s3cret" })).toEqual({ ok: false, reason: "bad-secret" });
  });

  it("accepts `Authorization: Bearer <token>`", () => {
    expect(verify({ authorization: "Bearer tok_123" }, { bearer: "tok_123" })).toEqual({ ok: true, mode: "bearer" });
    expect(verify({ authorization: "bearer tok_123" }, { bearer: "tok_123" }).ok).toBe(true);
  });

  it("rejects a wrong token or a missing Bearer scheme", () => {
    expect(verify({ authorization: "Bearer nope" }, { bearer: "tok_123" })).toEqual({
      ok: false,
      reason: "bad-bearer",
    });
    expect(verify({ authorization: "tok_123" }, { bearer: "tok_123" })).toEqual({ ok: false, reason: "bad-bearer" });
  });
});

describe("verifyServerMessage mode selection", () => {
  it("reports missing auth when no credential header is present", () => {
    expect(verify({}, { secret: "s", bearer: "b", hmac: "h" })).toEqual({ ok: false, reason: "missing-auth" });
  });

  it("refuses a valid credential of a mode we do not accept", () => {
    expect(verify({ "x-vapi-secret": "s3cret" }, { bearer: "s3cret" })).toEqual({
      ok: false,
      reason: "mode-not-accepted",
    });
    expect(verify({ authorization: "Bearer tok" }, { secret: "tok" })).toEqual({
      ok: false,
      reason: "mode-not-accepted",
    });
  });

  it("refuses everything when no mode is configured", () => {
    expect(verify({ "x-vapi-secret": "" }, {})).toEqual({ ok: false, reason: "no-accepted-mode" });
    expect(verify({ "x-vapi-secret": "x" }, { secret: "" })).toEqual({ ok: false, reason: "no-accepted-mode" });
  });

  it("accepts when one of several presented accepted credentials is valid", () => {
    const headers = { authorization: "Bearer wrong", "x-vapi-secret": "s3cret" };
    expect(verify(headers, { bearer: "tok", secret: "s3cret" })).toEqual({ ok: true, mode: "secret" });
  });

  it("reports the first failure when every presented credential is wrong", () => {
    const headers = { authorization: "Bearer wrong", "x-vapi-secret": "wrong" };
    expect(verify(headers, { bearer: "tok", secret: "s3cret" })).toEqual({ ok: false, reason: "bad-bearer" });
  });
});
