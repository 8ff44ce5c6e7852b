import { afterEach, describe, expect, it, vi } from "vitest";
import { round4 } from "../end-of-call";
import { type JsonObject, type Receiver, sleep, startReceiver, startStack } from "./support";

type Stack = Awaited<ReturnType<typeof startStack>>;

describe("call lifecycle", () => {
  let stack: Stack | undefined;
  const extraReceivers: Receiver[] = [];
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
    await Promise.all(extraReceivers.splice(0).map((receiver) => receiver.close()));
  });

  /** A started call; `quiet` keeps the script silent after the first user turn. */
  async function startedCall(
    options: { overrides?: JsonObject; extra?: Parameters<typeof startStack>[0]; quiet?: boolean } = {},
  ) {
    const quiet =
      options.quiet === false ? {} : { conversation: [{ role: "user" as const, text: "Hello.", pauseMs: 10_000 }] };
    stack = await startStack({ ...quiet, ...(options.extra as object) });
    const created = await stack.api.createCall({ overrides: options.overrides });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await stack.api.admin("POST", `/calls/${id}/join`)).status).toBe(200);
    return { id, created: created.body, stack, controlUrl: String((created.body.monitor as JsonObject).controlUrl) };
  }

  async function reportOf(id: string): Promise<JsonObject> {
    await vi.waitFor(() => expect(stack!.receiver.types(id).at(-1)).toBe("end-of-call-report"), { timeout: 5000 });
    return stack!.receiver.messages(id).at(-1)!;
  }

  it("ends at maxDurationSeconds with exceeded-max-duration, the report last and its numbers consistent", async () => {
    // timeScale 0.02: the minimum 10 s lasts 200 ms.
    const { id } = await startedCall({
      overrides: { maxDurationSeconds: 10 },
      extra: { timeScale: 0.02 },
      quiet: false,
    });
    const report = await reportOf(id);
    const types = stack!.receiver.types(id);
    expect(types[0]).toBe("status-update:in-progress");
    expect(types.slice(-2)).toEqual(["status-update:ended", "end-of-call-report"]);
    expect(stack!.receiver.messages(id).at(-2)).toMatchObject({
      status: "ended",
      endedReason: "exceeded-max-duration",
    });
    expect(report.endedReason).toBe("exceeded-max-duration");
    const durationMs = Date.parse(String(report.endedAt)) - Date.parse(String(report.startedAt));
    expect(report.durationMs).toBe(durationMs);
    expect(durationMs).toBeGreaterThanOrEqual(200);
    expect(report.durationSeconds).toBe(durationMs / 1000);
    expect(report.durationMinutes).toBe(round4(durationMs / 60000));
    const costs = report.costs as JsonObject[];
    expect(costs.map((item) => item.type)).toContain("analysis");
    expect(report.cost).toBe(round4(costs.reduce((sum, item) => sum + Number(item.cost), 0)));
    const fetched = (await stack!.api.rest("GET", `/call/${id}`)).body;
    expect(fetched).toMatchObject({
      status: "ended",
      endedReason: "exceeded-max-duration",
      cost: report.cost,
      startedAt: report.startedAt,
      endedAt: report.endedAt,
    });
  });

  it("every message carries the creation snapshot, the merged assistant and a numeric timestamp", async () => {
    const metadata = { userId: "usr_1", creditHoldId: "hold_1" };
    const { id } = await startedCall({ overrides: { metadata, variableValues: { firstName: "Ada" } }, quiet: false });
    await vi.waitFor(() => expect(stack!.receiver.types(id)).toContain("conversation-update"));
    for (const message of stack!.receiver.messages(id)) {
      expect(message.timestamp).toEqual(expect.any(Number));
      expect(message.call).toMatchObject({ id, status: "queued", assistantOverrides: { metadata } });
      expect(message.assistant).toMatchObject({ metadata, firstMessage: "Hi Ada!" });
      expect(message.artifact).toEqual(expect.objectContaining({ messages: expect.any(Array) }));
    }
  });

  it("control end-call ends the call at once (endedReason configurable)", async () => {
    const { id, controlUrl } = await startedCall({ extra: { controlEndCallEndedReason: "manually-canceled" } });
    const sentAt = Date.now();
    expect((await stack!.api.control(controlUrl, { type: "end-call" })).status).toBe(200);
    const report = await reportOf(id);
    expect(report.endedReason).toBe("manually-canceled");
    expect(Date.parse(String(report.endedAt)) - sentAt).toBeLessThan(100);
  });

  it("say with endCallAfterSpoken ends after the message has been spoken", async () => {
    const { id, controlUrl } = await startedCall({ extra: { speechCharsPerSecond: 100 } });
    await vi.waitFor(() => expect(stack!.receiver.types(id)).toContain("conversation-update"), { timeout: 3000 });
    const content = "You are out of credits, goodbye!"; // 32 chars at 100/s: 320 ms
    const sentAt = Date.now();
    expect((await stack!.api.control(controlUrl, { type: "say", content, endCallAfterSpoken: true })).status).toBe(200);
    const report = await reportOf(id);
    expect(report.endedReason).toBe("assistant-ended-call-after-message-spoken");
    expect(Date.parse(String(report.endedAt)) - sentAt).toBeGreaterThanOrEqual(300);
    const lastBot = (report.messages as JsonObject[]).findLast((message) => message.role === "bot");
    expect(lastBot?.message).toBe(content);
  });

  it("refuses control once the call has ended (404), and logs every request", async () => {
    const { id, controlUrl } = await startedCall();
    await stack!.api.control(controlUrl, { type: "end-call" });
    const after = await stack!.api.control(controlUrl, { type: "say", content: "too late" });
    expect(after.status).toBe(404);
    expect(after.body).toMatchObject({ statusCode: 404, error: "Not Found" });
    expect((await stack!.api.control(controlUrl.replace(id, "unknown"), { type: "end-call" })).status).toBe(404);
    const details = (await stack!.api.admin("GET", `/calls/${id}`)).body;
    expect((details.controlLog as JsonObject[]).map((entry) => entry.httpStatus)).toEqual([200, 404]);
  });

  it("validates control bodies: say needs content on the control URL", async () => {
    const { controlUrl } = await startedCall();
    expect((await stack!.api.control(controlUrl, { type: "say", message: "wrong field" })).status).toBe(400);
    expect((await stack!.api.control(controlUrl, { type: "control", control: "mute-assistant" })).status).toBe(200);
    expect(
      (await stack!.api.control(controlUrl, { type: "add-message", message: { role: "system", content: "Be brief." } }))
        .status,
    ).toBe(200);
    expect((await stack!.api.control(controlUrl, { type: "dance" })).status).toBe(400);
  });

  it("serverMessages [] delivers nothing, for the whole call", async () => {
    const { id } = await startedCall({ overrides: { serverMessages: [] }, quiet: false });
    await stack!.api.admin("POST", `/calls/${id}/hangup`);
    await vi.waitFor(async () => expect((await stack!.api.rest("GET", `/call/${id}`)).body.costs).toBeDefined());
    await sleep(50);
    expect(stack!.receiver.requests).toHaveLength(0);
  });

  it("a server.url override sends everything elsewhere", async () => {
    const elsewhere = await startReceiver();
    extraReceivers.push(elsewhere);
    const { id } = await startedCall({ overrides: { server: { url: `${elsewhere.url}/attacker` } } });
    await stack!.api.admin("POST", `/calls/${id}/hangup`);
    await vi.waitFor(() => expect(elsewhere.types(id).at(-1)).toBe("end-of-call-report"));
    expect(stack!.receiver.requests).toHaveLength(0);
    expect(elsewhere.requests[0].path).toBe("/attacker");
  });

  it("monitorPlan.controlEnabled false removes the controlUrl", async () => {
    const { created, stack } = await startedCall({ overrides: { monitorPlan: { controlEnabled: false } } });
    const monitor = created.monitor as JsonObject;
    expect(monitor.controlUrl).toBeUndefined();
    expect(monitor.listenUrl).toEqual(expect.any(String));
    expect((await stack.api.control(`${stack.emulator.url}/${created.id}/control`, { type: "end-call" })).status).toBe(
      404,
    );
  });

  it("controlAuthenticationEnabled wants the public key on the control URL", async () => {
    const { controlUrl } = await startedCall({ overrides: { monitorPlan: { controlAuthenticationEnabled: true } } });
    expect((await stack!.api.control(controlUrl, { type: "end-call" })).status).toBe(401);
    expect((await stack!.api.control(controlUrl, { type: "end-call" }, "pk-test")).status).toBe(200);
  });

  it("ends a call nobody joins with customer-did-not-answer, without in-progress", async () => {
    stack = await startStack({ customerJoinTimeoutSeconds: 0.1 });
    const id = String((await stack.api.createCall()).body.id);
    const report = await reportOf(id);
    expect(stack.receiver.types(id)).toEqual(["status-update:ended", "end-of-call-report"]);
    expect(report).toMatchObject({ endedReason: "customer-did-not-answer", cost: 0, durationMs: 0, costs: [] });
    expect(report.startedAt).toBeUndefined();
  });

  it("hangup ends with customer-ended-call; trigger returns the receiver's answer", async () => {
    const { id } = await startedCall();
    stack!.receiver.respond(({ body }) => {
      const message = body.message as JsonObject;
      if (message.type !== "tool-calls") return undefined;
      const [call] = message.toolCallList as JsonObject[];
      return { status: 200, body: { results: [{ toolCallId: call.id, result: "You have 42 credits left." }] } };
    });
    const trigger = await stack!.api.admin("POST", `/calls/${id}/trigger`, { type: "tool-calls" });
    expect(trigger.body).toMatchObject({
      delivered: true,
      httpStatus: 200,
      body: { results: [{ result: "You have 42 credits left." }] },
    });
    await stack!.api.admin("POST", `/calls/${id}/hangup`);
    const report = await reportOf(id);
    expect(report.endedReason).toBe("customer-ended-call");
    expect(report.messages).toContainEqual(
      expect.objectContaining({ role: "tool_call_result", result: "You have 42 credits left." }),
    );
    expect((await stack!.api.admin("POST", `/calls/${id}/hangup`)).status).toBe(409);
  });

  it("attack creates a call through POST /call/web with overrides, and joins it", async () => {
    stack = await startStack({ conversation: [{ role: "user", text: "Hello.", pauseMs: 10_000 }] });
    const attack = await stack.api.admin("POST", "/attack", {
      overrides: { serverMessages: [], maxDurationSeconds: 43200 },
    });
    expect(attack.body).toMatchObject({ httpStatus: 201, joined: true });
    const call = attack.body.call as JsonObject;
    expect((await stack.api.rest("GET", `/call/${call.id}`)).body).toMatchObject({
      status: "in-progress",
      assistantOverrides: { serverMessages: [] },
    });
    const badKey = await stack.api.admin("POST", "/attack", { key: "stolen" });
    expect(badKey.body).toMatchObject({ httpStatus: 401, joined: false });
    await stack.api.admin("POST", "/reset");
    expect((await stack.api.admin("GET", "/calls")).body).toEqual([]);
  });
});
