import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { mintPublicCallJwt } from "./public-jwt";

const PRIVATE_KEY = "2b6c1f0e-private-key";
const NOW = new Date("2026-09-20T10:00:00.000Z");
const input = {
  orgId: "org_1",
  privateKey: PRIVATE_KEY,
  assistantId: "asst_1",
  allowedOrigins: ["https://app.example.com"],
  ttlSeconds: 60,
  now: NOW,
};

describe("mintPublicCallJwt", () => {
  it("signs a public-tag token restricted to our origin and assistant", async () => {
    const jwt = await mintPublicCallJwt(input);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode(PRIVATE_KEY), {
      algorithms: ["HS256"],
      currentDate: new Date(NOW.getTime() + 59_000),
    });
    expect(payload).toEqual({
      orgId: "org_1",
      token: {
        tag: "public",
        restrictions: {
          enabled: true,
          allowedOrigins: ["https://app.example.com"],
          allowedAssistantIds: ["asst_1"],
          allowTransientAssistant: false,
        },
      },
      iat: NOW.getTime() / 1000,
      exp: NOW.getTime() / 1000 + 60,
    });
  });

  it("expires after its ttl", async () => {
    const jwt = await mintPublicCallJwt({ ...input, ttlSeconds: 30 });
    await expect(
      jwtVerify(jwt, new TextEncoder().encode(PRIVATE_KEY), { currentDate: new Date(NOW.getTime() + 31_000) }),
    ).rejects.toThrow(/exp/);
  });

  it("does not verify with another key", async () => {
    const jwt = await mintPublicCallJwt(input);
    await expect(jwtVerify(jwt, new TextEncoder().encode("other"), { currentDate: NOW })).rejects.toThrow();
  });

  it.each([61, 0, -1, 1.5])("refuses a ttl of %s seconds", async (ttlSeconds) => {
    await expect(mintPublicCallJwt({ ...input, ttlSeconds })).rejects.toThrow(RangeError);
  });

  it("refuses an empty origin list", async () => {
    await expect(mintPublicCallJwt({ ...input, allowedOrigins: [] })).rejects.toThrow(RangeError);
  });
});
