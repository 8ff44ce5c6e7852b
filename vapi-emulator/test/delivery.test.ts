import { afterEach, describe, expect, it, vi } from "vitest";
import { authHeaders, hmacSignature } from "../signing";
import { ASSISTANT_ID, type JsonObject, type Receiver, sleep, startReceiver, startStack } from "./support";

describe("HMAC signatures", () => {
  // Vectors computed independently: printf '%s' '<ts>.<body>' | openssl dgst -sha256 -hmac '<secret>'
  it.each([
    {
      secret: "whsec_test_vector",
      timestamp: "1789898403455",
      body: '{"message":{"type":"status-update","status":"in-progress"}}',
      hex: "e9b5d5df0bf5f45ef9ccdc7efd19617a4387689c489c54193004161975f2c338",
    },
    {
      secret: "shh",
      timestamp: "1789898403",
      body: '{"message":{"type":"end-of-call-report"}}',
      hex: "a40ff524cde3f90465ff3ea4917bc23dd35b8fd1631adc889a39644da8eaf32e",
    },
  ])("signs `{timestamp}.{body}` as hex HMAC-SHA256 ($timestamp)", ({ secret, timestamp, body, hex }) => {
    expect(hmacSignature(secret, timestamp, body)).toBe(hex);
  });

  it("puts the timestamp in ms by default, in seconds when configured", () => {
    const body = '{"message":{"type":"end-of-call-report"}}';
    const now = 1789898403455;
    expect(authHeaders({ type: "hmac", secret: "shh", timestampUnit: "ms" }, body, now)).toEqual({
      "x-timestamp": "1789898403455",
      "x-signature": hmacSignature("shh", "1789898403455", body),
    });
    expect(authHeaders({ type: "hmac", secret: "shh", timestampUnit: "s" }, body, now)).toEqual({
      "x-timestamp": "1789898403",
      "x-signature": "a40ff524cde3f90465ff3ea4917bc23dd35b8fd1631adc889a39644da8eaf32e",
    });
  });
});

describe("deliveries", () => {
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function callThatEnds(extra: Parameters<typeof startStack>[0] = {}) {
    stack = await startStack({ conversation: [{ role: "user", text: "Hello.", pauseMs: 10_000 }], ...extra });
    const created = (await stack.api.createCall()).body;
    const id = String(created.id);
    await stack.api.admin("POST", `/calls/${id}/join`);
    await vi.waitFor(() => expect(stack!.receiver.types(id)).toContain("conversation-update"));
    await stack.api.admin("POST", `/calls/${id}/hangup`);
    return { id, stack };
  }

  it("signs each body with the HMAC credential and names the call in x-call-id", async () => {
    const { id, stack } = await callThatEnds();
    await vi.waitFor(() => expect(stack.receiver.types(id).at(-1)).toBe("end-of-call-report"));
    for (const request of stack.receiver.requests) {
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["x-call-id"]).toBe(id);
      const timestamp = String(request.headers["x-timestamp"]);
      expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(10_000);
      expect(request.headers["x-signature"]).toBe(hmacSignature("whsec-test", timestamp, request.rawBody));
    }
  });

  it.each([
    [{ type: "secret", secret: "s3cret" }, { "x-vapi-secret": "s3cret" }],
    [{ type: "bearer", token: "t0ken" }, { authorization: "Bearer t0ken" }],
  ] as const)("sends %o as its header", async (auth, expected) => {
    stack = await startStack((receiverUrl) => ({
      assistants: [{ id: "coach-test", server: { url: receiverUrl, auth } }],
    }));
    const id = String((await stack.api.createCall()).body.id);
    await stack.api.admin("POST", `/calls/${id}/join`);
    await vi.waitFor(() => expect(stack!.receiver.requests.length).toBeGreaterThan(0));
    expect(stack.receiver.requests[0].headers).toMatchObject(expected);
    expect(stack.receiver.requests[0].headers["x-signature"]).toBeUndefined();
  });

  it("records a failing receiver and does not retry without a backoffPlan", async () => {
    const { id, stack } = await callThatEnds();
    stack.receiver.respond(() => ({ status: 500 }));
    await vi.waitFor(async () => {
      const log = (await stack.api.admin("GET", `/deliveries?callId=${id}`)).body as unknown as JsonObject[];
      expect(log.at(-1)).toMatchObject({ type: "end-of-call-report", outcome: "failed", httpStatus: 500, attempt: 1 });
    });
    expect(stack.receiver.types(id).filter((type) => type === "end-of-call-report")).toHaveLength(1);
  });

  it("retries per the override's backoffPlan", async () => {
    stack = await startStack();
    stack.receiver.respond(() => ({ status: 503 }));
    const overrides = {
      server: { url: `${stack.receiver.url}/webhook`, backoffPlan: { maxRetries: 2, baseDelaySeconds: 0 } },
    };
    const id = String((await stack.api.createCall({ overrides })).body.id);
    await stack.api.admin("POST", `/calls/${id}/join`);
    await vi.waitFor(() =>
      expect(stack!.receiver.types(id).slice(0, 3)).toEqual(Array(3).fill("status-update:in-progress")),
    );
  });

  it("applies faults: drop, duplicate, and deliver in-progress after the report", async () => {
    stack = await startStack({ conversation: [{ role: "user", text: "Hello.", pauseMs: 10_000 }] });
    await stack.api.admin("POST", "/faults", {
      drop: ["speech-update"],
      duplicate: ["status-update:ended"],
      deliverLast: ["status-update:in-progress"],
    });
    const id = String((await stack.api.createCall()).body.id);
    await stack.api.admin("POST", `/calls/${id}/join`);
    await vi.waitFor(() => expect(stack!.receiver.types(id)).toContain("conversation-update"));
    await stack.api.admin("POST", `/calls/${id}/hangup`);
    await vi.waitFor(() => expect(stack!.receiver.types(id).at(-1)).toBe("status-update:in-progress"));
    const types = stack.receiver.types(id);
    expect(types).not.toContain("speech-update");
    expect(types.slice(-4)).toEqual([
      "status-update:ended",
      "status-update:ended",
      "end-of-call-report",
      "status-update:in-progress",
    ]);
    const [first, second] = stack.receiver.requests.filter((request) => request.rawBody.includes('"status":"ended"'));
    expect(first.rawBody).toBe(second.rawBody);
    const log = (await stack.api.admin("GET", `/deliveries?callId=${id}`)).body as unknown as JsonObject[];
    expect(log.filter((entry) => entry.outcome === "dropped").length).toBeGreaterThan(0);
  });

  it("delivers a delayed type late, out of order", async () => {
    stack = await startStack({ conversation: [{ role: "user", text: "Hello.", pauseMs: 10_000 }] });
    const id = String((await stack.api.createCall()).body.id);
    await stack.api.admin("POST", "/faults", { callId: id, delayTypes: { "status-update:in-progress": 300 } });
    await stack.api.admin("POST", `/calls/${id}/join`);
    await sleep(150);
    expect(stack.receiver.types(id)[0]).toBe("speech-update");
    await vi.waitFor(() => expect(stack!.receiver.types(id)).toContain("status-update:in-progress"));
  });

  describe("several server URLs (a load balancer in front of several instances)", () => {
    let others: Receiver[] = [];
    afterEach(async () => {
      await Promise.all(others.map((receiver) => receiver.close()));
      others = [];
    });

    it("spreads one call's messages over them in turn, and passes over one that refuses the connection", async () => {
      others = [await startReceiver(), await startReceiver()];
      stack = await startStack((receiverUrl) => ({
        assistants: [
          {
            id: ASSISTANT_ID,
            firstMessage: "",
            serverMessages: ["conversation-update"],
            server: {
              url: [receiverUrl, ...others.map((receiver) => receiver.url)].map((url) => `${url}/webhook`),
              auth: { type: "hmac", secret: "whsec-test" },
            },
          },
        ],
        conversation: [{ role: "user", text: "Hello.", pauseMs: 60_000 }],
      }));
      const receivers = [stack.receiver, ...others];
      const urls = receivers.map((receiver) => `${receiver.url}/webhook`);
      const id = String((await stack.api.createCall()).body.id);
      await stack.api.admin("POST", `/calls/${id}/join`);
      const update = () => stack!.api.admin("POST", `/calls/${id}/trigger`, { type: "conversation-update" });
      const log = async () =>
        ((await stack!.api.admin("GET", `/deliveries?callId=${id}`)).body as unknown as JsonObject[]).map((entry) => ({
          to: urls.indexOf(String(entry.url)),
          outcome: entry.outcome,
        }));
      await vi.waitFor(async () => expect(await log()).toHaveLength(1));
      for (let i = 0; i < 5; i += 1) await update();
      const spread = await log();
      expect(spread.every((entry) => entry.outcome === "delivered")).toBe(true);
      for (let i = 1; i < spread.length; i += 1) expect(spread[i].to).toBe((spread[i - 1].to + 1) % 3);
      expect(receivers.map((receiver) => receiver.messages(id).length)).toEqual([2, 2, 2]);

      await others[1].close();
      for (let i = 0; i < 6; i += 1) await update();
      const after = (await log()).slice(6);
      expect(after.every((entry) => entry.outcome === "delivered" && entry.to !== 2)).toBe(true);
      expect(receivers.map((receiver) => receiver.messages(id).length)).toEqual([6, 4, 2]);
    });
  });
});
