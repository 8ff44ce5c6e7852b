import { beforeAll, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { endOfCallReport, signedRequest, statusUpdate, webCall } from "@/test/server-messages";
import { signHmac } from "@/lib/vapi/verify";
import type { Db } from "@/lib/db/client";

const SECRET = "route-test-webhook-secret";
let db: Db;
let POST: (request: Request) => Promise<Response>;

beforeAll(async () => {
  const fresh = await freshDb();
  db = fresh.db;
  Object.assign(process.env, {
    DATABASE_URL: fresh.url,
    VAPI_ASSISTANT_ID: "coach-assistant",
    VAPI_WEBHOOK_SECRET: SECRET,
    VAPI_WEBHOOK_ACCEPT: "hmac,secret",
    START_TOKEN_SECRET: "route-test-start-token-secret",
  });
  ({ POST } = await import("./route"));
});

const url = "http://localhost/api/vapi/webhook";
const post = (body: string, headers: Record<string, string>) =>
  POST(new Request(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }));
const rowsWritten = async () => ({
  events: await db.webhookEvent.count(),
  calls: await db.call.count(),
  alerts: await db.alert.count(),
});
const inProgress = JSON.stringify(statusUpdate(webCall({ controlUrl: "http://127.0.0.1:9/x/control" }), "in-progress"));

describe("POST /api/vapi/webhook", () => {
  it.each([
    ["no auth", {}],
    ["a wrong secret", { "x-vapi-secret": "guess" }],
    ["a bad signature", { "x-timestamp": String(Date.now()), "x-signature": "00".repeat(32) }],
    ["a bearer token when only hmac and secret are accepted", { authorization: `Bearer ${SECRET}` }],
  ])("refuses %s with 401 and writes no message, call or alert", async (_name, headers) => {
    const before = await rowsWritten();
    const response = await post(inProgress, headers);
    expect(response.status).toBe(401);
    expect(await rowsWritten()).toEqual(before);
  });

  it("refuses a correctly signed message whose timestamp is stale", async () => {
    const stale = Date.now() - 301_000;
    const response = await post(inProgress, {
      "x-timestamp": String(stale),
      "x-signature": signHmac(SECRET, stale, inProgress),
    });
    expect(response.status).toBe(401);
    expect(await db.call.count()).toBe(0);
  });

  it("answers malformed JSON with 400", async () => {
    const body = "{not json";
    const ts = Date.now();
    expect((await post(body, { "x-timestamp": String(ts), "x-signature": signHmac(SECRET, ts, body) })).status).toBe(
      400,
    );
  });

  it("answers a known type with a bad shape with 422, and an unknown type with 200 {}", async () => {
    const bad = signedRequest(SECRET, { message: { type: "status-update", call: { id: "c1" } } });
    expect((await post(bad.rawBody, Object.fromEntries(bad.headers))).status).toBe(422);
    const unknown = signedRequest(SECRET, { message: { type: "language-changed", call: { id: "c1" } } });
    const response = await post(unknown.rawBody, Object.fromEntries(unknown.headers));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
  });

  it("accepts the legacy X-Vapi-Secret header when configured", async () => {
    const response = await post(inProgress, { "x-vapi-secret": SECRET });
    expect(response.status).toBe(200);
    expect(await db.call.count()).toBe(1);
  });

  it("refuses a body over 1 MB with 413", async () => {
    const response = await post(JSON.stringify({ message: { type: "hang", pad: "x".repeat(1_100_000) } }), {
      "x-vapi-secret": SECRET,
    });
    expect(response.status).toBe(413);
  });

  it("answers tool calls in Vapi's results shape", async () => {
    const req = signedRequest(SECRET, {
      message: {
        type: "tool-calls",
        call: { id: "nobody" },
        toolCallList: [{ id: "t1", type: "function", function: { name: "getRemainingCredits", arguments: {} } }],
      },
    });
    const response = await post(req.rawBody, Object.fromEntries(req.headers));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ results: [{ toolCallId: "t1", error: "This call is not a paid call." }] });
  });

  it("refuses with 422 a tool call whose id holds a lone surrogate: a result for an altered id answers nothing Vapi asked", async () => {
    const req = signedRequest(SECRET, {
      message: {
        type: "tool-calls",
        call: { id: "nobody" },
        toolCallList: [{ id: "x\ud83d", type: "function", function: { name: "getRemainingCredits", arguments: {} } }],
      },
    });
    expect(req.rawBody).toContain("\\ud83d");
    const response = await post(req.rawBody, Object.fromEntries(req.headers));
    expect(response.status).toBe(422);
    expect(JSON.stringify(await response.json())).toMatch(/lone UTF-16 surrogates/);
  });

  it("rejects phone calls' assistant-request with a spoken error", async () => {
    const req = signedRequest(SECRET, {
      message: { type: "assistant-request", call: { id: "phone-1", type: "inboundPhoneCall" } },
    });
    const body = await (await post(req.rawBody, Object.fromEntries(req.headers))).json();
    expect(body.error).toMatch(/only takes calls from its web app/);
  });

  it("keeps a call's live transcript, masked, from each new conversation-update, and leaves the final one alone", async () => {
    const call = webCall({ controlUrl: "http://127.0.0.1:9/x/control" });
    const send = async (body: unknown) => {
      const req = signedRequest(SECRET, body);
      expect((await post(req.rawBody, Object.fromEntries(req.headers))).status).toBe(200);
    };
    const update = (timestamp: number, lines: [string, string][]) => ({
      message: {
        type: "conversation-update",
        timestamp,
        call,
        messages: lines.map(([role, message]) => ({ role, message })),
      },
    });
    const transcript = async () => (await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).transcript;
    const t0 = Date.now();

    await send(statusUpdate(call, "in-progress"));
    await send(
      update(t0 + 1_000, [
        ["bot", "Hi"],
        ["user", "Mail me at jo@example.com"],
      ]),
    );
    expect(await transcript()).toBe("AI: Hi\nUser: Mail me at j***@example.com");

    // An older update arriving late does not take the transcript back.
    await send(update(t0 + 500, [["bot", "Hi"]]));
    expect(await transcript()).toBe("AI: Hi\nUser: Mail me at j***@example.com");

    // A redelivery (same timestamp) is not applied again.
    await db.call.update({ where: { vapiCallId: call.id }, data: { transcript: "marker" } });
    await send(
      update(t0 + 1_000, [
        ["bot", "Hi"],
        ["user", "Mail me at jo@example.com"],
      ]),
    );
    expect(await transcript()).toBe("marker");

    await send(endOfCallReport(call, { seconds: 5 }));
    const final = await transcript();
    await send(update(t0 + 2_000, [["bot", "A late line"]]));
    expect(await transcript()).toBe(final);
    expect(await db.webhookEvent.count({ where: { vapiCallId: call.id, type: "conversation-update" } })).toBe(3);
  });

  it("stores the time a message arrived in UTC, whatever the server's time zone", async () => {
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Tokyo";
    try {
      const req = signedRequest(SECRET, {
        message: { type: "speech-update", timestamp: 1, status: "started", role: "user", call: { id: "tz-call" } },
      });
      expect((await post(req.rawBody, Object.fromEntries(req.headers))).status).toBe(200);
    } finally {
      process.env.TZ = zone;
    }
    const event = await db.webhookEvent.findFirstOrThrow({ where: { vapiCallId: "tz-call" } });
    expect(Math.abs(event.receivedAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("records and acts on a message whose text holds NUL characters (PostgreSQL text cannot), each replaced by U+FFFD", async () => {
    const call = webCall({ controlUrl: "http://127.0.0.1:9/x/control" });
    const send = async (body: unknown) => {
      const req = signedRequest(SECRET, body);
      return (await post(req.rawBody, Object.fromEntries(req.headers))).status;
    };
    expect(await send(statusUpdate(call, "in-progress"))).toBe(200);
    const update = {
      message: {
        type: "conversation-update",
        timestamp: 5,
        call,
        messages: [{ role: "user", message: "a\u0000b" }],
        "k\u0000": "v\u0000",
      },
    };
    expect(await send(update)).toBe(200);
    expect((await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).transcript).toBe("User: a\ufffdb");
    const event = await db.webhookEvent.findFirstOrThrow({
      where: { vapiCallId: call.id, type: "conversation-update" },
    });
    expect(JSON.stringify(event.payload)).not.toContain("\\u0000");
    // In an id, refused with 422 (never a 500 Vapi would retry for ever), and nothing recorded under an altered id.
    expect(await send(statusUpdate({ ...call, id: "bad\u0000id" }, "in-progress"))).toBe(422);
    expect(await db.call.count({ where: { vapiCallId: { startsWith: "bad" } } })).toBe(0);
  });
});
