import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorConfig } from "../config";
import { ASSISTANT_ID, KEYS, ORIGIN, startStack } from "./support";

type Stack = Awaited<ReturnType<typeof startStack>>;

async function publicJwt(
  payload: Record<string, unknown>,
  expiresIn: string | number = "1h",
  secret: string = KEYS.privateKey,
) {
  return new SignJWT({ orgId: KEYS.orgId, token: { tag: "public" }, ...payload })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

function withStack(extra: Partial<EmulatorConfig>, body: (stack: () => Stack) => void) {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(extra);
  });
  afterAll(() => stack.close());
  body(() => stack);
}

const nestError = (statusCode: number) => ({ message: expect.anything(), error: expect.any(String), statusCode });

describe("POST /call/web keys", () => {
  withStack({}, (stack) => {
    it("accepts the public key and answers 201 queued", async () => {
      const response = await stack().api.createCall();
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        type: "webCall",
        status: "queued",
        cost: 0,
        assistantId: ASSISTANT_ID,
        orgId: KEYS.orgId,
      });
      expect(response.body.webCallUrl).toBe((response.body.transport as Record<string, unknown>).callUrl);
      expect(String(response.body.webCallUrl)).toMatch(/^http:\/\/localhost:\d+\/room\/\w+$/);
    });

    it("stores assistantOverrides exactly as sent", async () => {
      const overrides = {
        variableValues: { firstName: "Ada" },
        metadata: { userId: "u1", nested: { a: [1, 2] } },
        maxDurationSeconds: 300,
      };
      const response = await stack().api.createCall({ overrides });
      expect(response.body.assistantOverrides).toEqual(overrides);
      const fetched = await stack().api.rest("GET", `/call/${response.body.id}`);
      expect(fetched.body.assistantOverrides).toEqual(overrides);
    });

    it.each([
      ["no key", undefined],
      ["an unknown key", "nope"],
    ])("refuses %s with 401", async (_label, key) => {
      const response = await stack().api.createCall({ key: key ?? "" });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(nestError(401));
    });

    it("accepts a public JWT signed with the private key, and refuses an expired or forged one", async () => {
      expect((await stack().api.createCall({ key: await publicJwt({}) })).status).toBe(201);
      const expired = await publicJwt({}, Math.floor(Date.now() / 1000) - 10);
      expect((await stack().api.createCall({ key: expired })).status).toBe(401);
      expect((await stack().api.createCall({ key: await publicJwt({}, "1h", "wrong-secret") })).status).toBe(401);
      expect((await stack().api.createCall({ key: await publicJwt({ orgId: "other-org" }) })).status).toBe(401);
    });

    it("applies the restrictions inside a public JWT", async () => {
      const key = await publicJwt({
        token: { tag: "public", restrictions: { allowedOrigins: ["https://app.example.com"] } },
      });
      expect((await stack().api.createCall({ key, origin: ORIGIN })).status).toBe(403);
      expect((await stack().api.createCall({ key, origin: "https://app.example.com" })).status).toBe(201);
    });

    it("answers 400 for an unknown assistant and for an out-of-range maxDurationSeconds", async () => {
      const unknown = await stack().api.createCall({ body: { assistantId: "nope" } });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual(nestError(400));
      const tooShort = await stack().api.createCall({ overrides: { maxDurationSeconds: 5 } });
      expect(tooShort.status).toBe(400);
      expect(tooShort.body.message).toEqual(["assistantOverrides.maxDurationSeconds must not be less than 10"]);
    });

    it("allows a transient assistant by default", async () => {
      const response = await stack().api.createCall({
        body: { assistant: { name: "Transient", firstMessage: "Hey" } },
      });
      expect(response.status).toBe(201);
      expect(response.body.assistant).toEqual({ name: "Transient", firstMessage: "Hey" });
    });

    it("answers CORS preflights for the Authorization header", async () => {
      const response = await fetch(`${stack().emulator.url}/call/web`, {
        method: "OPTIONS",
        headers: {
          origin: "https://evil.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type",
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("https://evil.example");
      expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
    });
  });
});

describe("GET /call with the private key only", () => {
  withStack({}, (stack) => {
    it("refuses the public key and lists calls for the private key", async () => {
      const created = await stack().api.createCall();
      expect((await stack().api.rest("GET", `/call/${created.body.id}`, KEYS.publicKey)).status).toBe(401);
      expect((await stack().api.rest("GET", "/call", KEYS.publicKey)).status).toBe(401);
      expect((await stack().api.rest("GET", `/__emulator/calls`, KEYS.publicKey)).status).toBe(401);
      const fetched = await stack().api.rest("GET", `/call/${created.body.id}`);
      expect(fetched.body).toMatchObject({ id: created.body.id, status: "queued" });
      expect((await stack().api.rest("GET", "/call/unknown-id")).status).toBe(404);
    });

    it("filters by assistantId and createdAt, newest first", async () => {
      const a = await stack().api.createCall();
      const b = await stack().api.createCall();
      const list = (await stack().api.rest("GET", `/call?assistantId=${ASSISTANT_ID}&createdAtGe=${a.body.createdAt}`))
        .body as unknown as Record<string, unknown>[];
      expect(list.map((call) => call.id).slice(0, 2)).toEqual([b.body.id, a.body.id]);
      expect((await stack().api.rest("GET", "/call?assistantId=other")).body).toEqual([]);
      const page = await stack().api.rest("GET", "/v2/call?limit=1&page=2");
      expect(page.body).toMatchObject({ results: [expect.any(Object)], metadata: { itemsPerPage: 1, currentPage: 2 } });
    });
  });
});

describe("public key restrictions", () => {
  withStack(
    { publicKeyRestrictions: { allowedOrigins: ["https://app.example.com"], allowedAssistantIds: [ASSISTANT_ID] } },
    (stack) => {
      it("refuses another origin, or none, with 403 (the key is valid but not for this use)", async () => {
        const response = await stack().api.createCall({ origin: "https://evil.example" });
        expect(response.status).toBe(403);
        expect(response.body).toEqual(nestError(403));
        // The browser can read the refusal: CORS is not what blocks the origin.
        expect(response.headers.get("access-control-allow-origin")).toBe("https://evil.example");
        expect((await stack().api.createCall({ origin: "https://app.example.com" })).status).toBe(201);
      });

      it("refuses an assistant outside allowedAssistantIds, and transient assistants, with 403", async () => {
        const other = await stack().api.createCall({
          origin: "https://app.example.com",
          body: { assistantId: "someone-else" },
        });
        expect(other.status).toBe(403);
        const transient = await stack().api.createCall({
          origin: "https://app.example.com",
          body: { assistant: { name: "x" } },
        });
        expect(transient.status).toBe(403);
      });

      it("lets the private key through (server-side creation)", async () => {
        expect((await stack().api.createCall({ key: KEYS.privateKey, origin: "https://evil.example" })).status).toBe(
          201,
        );
      });
    },
  );

  withStack({ publicKeyRestrictions: { enabled: false } }, (stack) => {
    it("treats a disabled key as invalid (401)", async () => {
      expect((await stack().api.createCall()).status).toBe(401);
    });
  });

  withStack({ publicKeyRestrictions: { allowTransientAssistant: false } }, (stack) => {
    it("refuses transient assistants when allowTransientAssistant is false", async () => {
      expect((await stack().api.createCall({ body: { assistant: { name: "x" } } })).status).toBe(403);
      expect((await stack().api.createCall()).status).toBe(201);
    });
  });
});
