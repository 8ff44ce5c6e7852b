import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { signedRequest, statusUpdate, webCall } from "@/test/server-messages";

// The production server's own listener for Vapi's messages (server.ts): the answers of Next's route
// (app/api/vapi/webhook/route.test.ts covers what they say), over a real socket.
const SECRET = "listener-test-webhook-secret";
let db: Db;
let server: http.Server;
let url: string;

beforeAll(async () => {
  const fresh = await freshDb();
  db = fresh.db;
  Object.assign(process.env, {
    DATABASE_URL: fresh.url,
    VAPI_ASSISTANT_ID: "coach-assistant",
    VAPI_WEBHOOK_SECRET: SECRET,
    VAPI_WEBHOOK_AUTH: "hmac",
    START_TOKEN_SECRET: "listener-test-start-token-secret",
  });
  const { isServerMessagePost, serveServerMessage } = await import("./webhook-listener");
  server = http.createServer((request, response) => {
    if (isServerMessagePost(request)) void serveServerMessage(request, response);
    else response.writeHead(404).end("not ours");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/vapi/webhook`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const post = (body: string, headers: Record<string, string>) => fetch(url, { method: "POST", body, headers });

describe("the production server's listener for Vapi's messages", () => {
  it("records a signed message and answers as the route does", async () => {
    const message = signedRequest(SECRET, statusUpdate(webCall(), "ended", { endedReason: "customer-ended-call" }));
    const response = await post(message.rawBody, Object.fromEntries(message.headers));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(await response.json()).toEqual({});
    expect(await db.webhookEvent.count({ where: { outcome: "ACCEPTED" } })).toBe(1);
  });

  it("refuses an unsigned message with 401, writes nothing but a counter keyed by the socket's address", async () => {
    const before = await db.webhookEvent.count();
    const response = await post(JSON.stringify(statusUpdate(webCall(), "in-progress")), {
      "content-type": "application/json",
      "x-forwarded-for": "203.0.113.9",
    });
    expect(response.status).toBe(401);
    expect(await db.webhookEvent.count()).toBe(before);
    const keys = (await db.rateLimitWindow.findMany({ select: { key: true } })).map((row) => row.key);
    expect(keys.filter((key) => key.startsWith("webhook-rejected:source:"))).toEqual([
      "webhook-rejected:source:127.0.0.1",
    ]);
  });

  it("refuses a body over 1 MB with 413, sent whole or in chunks, and the connection answers the next request", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string, o: { chunked?: boolean } = {}) =>
      new Promise<{ status: number; reusedSocket: boolean }>((resolve, reject) => {
        const request = http.request(url, { method: "POST", agent, headers: { "x-vapi-secret": SECRET } }, (r) => {
          r.resume();
          r.on("end", () => resolve({ status: r.statusCode ?? 0, reusedSocket: request.reusedSocket }));
        });
        request.on("error", reject);
        if (!o.chunked) return void request.end(body);
        // Several writes without a length: Transfer-Encoding: chunked.
        for (let at = 0; at < body.length; at += 64 * 1024) request.write(body.slice(at, at + 64 * 1024));
        request.end();
      });
    const padded = JSON.stringify({ message: { type: "hang", pad: "x".repeat(1_100_000) } });
    expect(await send(padded)).toEqual({ status: 413, reusedSocket: false });
    expect(await send("{not json")).toEqual({ status: 401, reusedSocket: true });
    // Cut off past the cap, the rest of a chunked body is dropped as it comes: the next request on
    // the connection is answered, not stuck behind it.
    expect(await send(padded, { chunked: true })).toEqual({ status: 413, reusedSocket: true });
    expect(await send("{not json")).toEqual({ status: 401, reusedSocket: true });
    agent.destroy();
  });

  it("takes only POSTs to its path, with or without a query", async () => {
    const { isServerMessagePost } = await import("./webhook-listener");
    const request = (method: string, path: string) => ({ method, url: path }) as http.IncomingMessage;
    expect(isServerMessagePost(request("POST", "/api/vapi/webhook"))).toBe(true);
    expect(isServerMessagePost(request("POST", "/api/vapi/webhook?from=vapi"))).toBe(true);
    expect(isServerMessagePost(request("GET", "/api/vapi/webhook"))).toBe(false);
    expect(isServerMessagePost(request("POST", "/api/vapi/webhooks"))).toBe(false);
    expect(isServerMessagePost(request("POST", "/api/vapi/webhook/../live"))).toBe(false);
  });
});
