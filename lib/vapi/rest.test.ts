import { afterEach, describe, expect, it } from "vitest";
import { createVapiRestClient, VapiRestError } from "./rest";
import { closedPortUrl, sendJson, startTestHttpServer, type TestHttpServer } from "@/test/http-server";

const PRIVATE_KEY = "priv_test_key";
const CALL = {
  id: "019a7c3e-1f2b-7d4e-8a9b-0c1d2e3f4a5b",
  orgId: "org_1",
  type: "webCall",
  status: "ended",
  assistantId: "asst_1",
  createdAt: "2026-09-20T10:00:00.120Z",
  updatedAt: "2026-09-20T10:04:20.000Z",
  startedAt: "2026-09-20T10:00:03.412Z",
  endedAt: "2026-09-20T10:04:10.688Z",
  endedReason: "customer-ended-call",
  cost: 0.37,
  costBreakdown: { total: 0.37 },
  monitor: { controlUrl: "https://example.test/control", listenUrl: "wss://example.test/listen" },
  assistantOverrides: { metadata: { userId: "usr_1" }, maxDurationSeconds: 300 },
};
const QUEUED = { id: "call_2", orgId: "org_1", status: "queued", createdAt: "2026-09-20T11:00:00.000Z", cost: 0 };

let server: TestHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function vapi(respond: Parameters<typeof startTestHttpServer>[0], timeoutMs?: number) {
  server = await startTestHttpServer(respond);
  return createVapiRestClient({ apiBaseUrl: server.url, privateKey: PRIVATE_KEY, timeoutMs });
}

async function restError(promise: Promise<unknown>): Promise<VapiRestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VapiRestError);
  return error as VapiRestError;
}

describe("Vapi REST client", () => {
  it("GETs /call/{id} with the private key and normalizes the call", async () => {
    const client = await vapi((_, res) => sendJson(res, 200, CALL));
    const call = await client.getCall(CALL.id);
    expect(server!.requests[0]).toMatchObject({ method: "GET", url: `/call/${CALL.id}` });
    expect(server!.requests[0].headers.authorization).toBe(`Bearer ${PRIVATE_KEY}`);
    expect(call).toEqual({
      id: CALL.id,
      status: "ended",
      assistantId: "asst_1",
      createdAt: new Date(CALL.createdAt),
      updatedAt: new Date(CALL.updatedAt),
      startedAt: new Date(CALL.startedAt),
      endedAt: new Date(CALL.endedAt),
      endedReason: "customer-ended-call",
      cost: 0.37,
      monitor: { controlUrl: "https://example.test/control" },
      assistantOverrides: { metadata: { userId: "usr_1" }, maxDurationSeconds: 300 },
      durationSeconds: 247.276,
    });
  });

  it("leaves duration out while the call has not ended, and takes a missing updatedAt as createdAt", async () => {
    const client = await vapi((_, res) => sendJson(res, 200, QUEUED));
    expect(await client.getCall("call_2")).toEqual({
      id: "call_2",
      status: "queued",
      createdAt: new Date(QUEUED.createdAt),
      updatedAt: new Date(QUEUED.createdAt),
      cost: 0,
    });
  });

  it("lists calls by assistant and by creation and update time", async () => {
    const client = await vapi((_, res) => sendJson(res, 200, [CALL, QUEUED]));
    const calls = await client.listCalls({
      assistantId: "asst_1",
      createdAtGt: new Date("2026-09-20T09:00:00.000Z"),
      createdAtLe: new Date("2026-09-20T12:00:00.000Z"),
      updatedAtGt: new Date("2026-09-20T09:30:00.000Z"),
      limit: 50,
    });
    expect(calls.map((call) => call.id)).toEqual([CALL.id, "call_2"]);
    const url = new URL(server!.requests[0].url, server!.url);
    expect(url.pathname).toBe("/call");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      assistantId: "asst_1",
      createdAtGt: "2026-09-20T09:00:00.000Z",
      createdAtLe: "2026-09-20T12:00:00.000Z",
      updatedAtGt: "2026-09-20T09:30:00.000Z",
      limit: "50",
    });
  });

  it("keeps a path prefix in the base URL", async () => {
    server = await startTestHttpServer((_, res) => sendJson(res, 200, CALL));
    const client = createVapiRestClient({ apiBaseUrl: `${server.url}/vapi`, privateKey: PRIVATE_KEY });
    await client.getCall(CALL.id);
    expect(server.requests[0].url).toBe(`/vapi/call/${CALL.id}`);
  });

  it("throws typed errors for 401, 404 and other statuses", async () => {
    let status = 401;
    const client = await vapi((_, res) => sendJson(res, status, { message: "nope", statusCode: status }));
    expect(await restError(client.getCall("x"))).toMatchObject({ kind: "unauthorized", status: 401 });
    status = 404;
    expect(await restError(client.getCall("x"))).toMatchObject({ kind: "not-found", status: 404 });
    status = 503;
    expect(await restError(client.listCalls())).toMatchObject({ kind: "http", status: 503 });
    expect(server!.requests).toHaveLength(3);
  });

  it("throws a network error when nothing listens", async () => {
    const client = createVapiRestClient({ apiBaseUrl: await closedPortUrl(), privateKey: PRIVATE_KEY });
    const error = await restError(client.getCall("x"));
    expect(error.kind).toBe("network");
    expect(error.message).toContain("GET /call/x");
  });

  it("throws a timeout error when Vapi does not answer in time", async () => {
    const client = await vapi(() => {}, 200);
    expect(await restError(client.getCall("x"))).toMatchObject({ kind: "timeout" });
  });

  it("throws invalid-response for a body that is not a call", async () => {
    const client = await vapi((req, res) => sendJson(res, 200, req.url === "/call" ? { results: [] } : { id: "x" }));
    expect(await restError(client.getCall("x"))).toMatchObject({ kind: "invalid-response" });
    expect(await restError(client.listCalls())).toMatchObject({ kind: "invalid-response" });
  });
});
