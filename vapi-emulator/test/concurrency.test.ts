import { afterEach, describe, expect, it, vi } from "vitest";
import { CONCURRENCY_LIMIT_ENDED_REASON } from "../emulator";
import { type JsonObject, startStack } from "./support";

type Stack = Awaited<ReturnType<typeof startStack>>;

describe("the concurrency limit", () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it("at the limit, creates a call that has already ended for it: 201, concurrencyBlocked, no room, ended and reported", async () => {
    stack = await startStack({ concurrencyLimit: 1 });
    const first = await stack.api.createCall();
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: "queued",
      subscriptionLimits: { concurrencyBlocked: false, concurrencyLimit: 1, remainingConcurrentCalls: 0 },
    });

    const refused = await stack.api.createCall({ overrides: { metadata: { reservationId: "r1" } } });
    expect(refused.status).toBe(201);
    expect(refused.body).toMatchObject({
      subscriptionLimits: { concurrencyBlocked: true, concurrencyLimit: 1, remainingConcurrentCalls: 0 },
      status: "ended",
      endedReason: CONCURRENCY_LIMIT_ENDED_REASON,
      endedAt: expect.any(String),
      assistantOverrides: { metadata: { reservationId: "r1" } },
    });
    const id = String(refused.body.id);

    await vi.waitFor(() => expect(stack!.receiver.types(id)).toEqual(["status-update:ended", "end-of-call-report"]));
    const [ended, report] = stack.receiver.messages(id);
    expect(ended).toMatchObject({ status: "ended", endedReason: CONCURRENCY_LIMIT_ENDED_REASON });
    expect(report).toMatchObject({ endedReason: CONCURRENCY_LIMIT_ENDED_REASON, cost: 0, durationSeconds: 0 });
    expect(report.startedAt).toBeUndefined();
    expect(report.call).toMatchObject({ id, assistantOverrides: { metadata: { reservationId: "r1" } } });

    const record = (await stack.api.rest("GET", `/call/${id}`)).body;
    expect(record).toMatchObject({ status: "ended", endedReason: CONCURRENCY_LIMIT_ENDED_REASON, cost: 0 });
    expect(record.startedAt).toBeUndefined();
    // The refused call holds no line: the first call is still the only live one.
    expect((await stack.api.admin("GET", "/concurrency")).body).toEqual({ concurrencyLimit: 1, liveCalls: 1 });
    // Its room is gone: nobody can join it, and it never goes in progress.
    expect((await stack.api.admin("POST", `/calls/${id}/join`)).status).toBe(409);
  });

  it("lets a call through again once a line is free, and counts queued and live calls as taken", async () => {
    stack = await startStack({ concurrencyLimit: 2 });
    const queued = String((await stack.api.createCall()).body.id);
    const live = String((await stack.api.createCall()).body.id);
    await stack.api.admin("POST", `/calls/${live}/join`);
    expect((await stack.api.createCall()).body.subscriptionLimits).toMatchObject({ concurrencyBlocked: true });

    await stack.api.admin("POST", `/calls/${queued}/end`);
    const next = await stack.api.createCall();
    expect(next.body).toMatchObject({
      status: "queued",
      subscriptionLimits: { concurrencyBlocked: false, concurrencyLimit: 2, remainingConcurrentCalls: 0 },
    });
    expect(next.body.endedReason).toBeUndefined();
  });

  it("changes its limit at runtime through the admin API, and reset restores the configured one", async () => {
    stack = await startStack({ concurrencyLimit: 5 });
    const lowered = await stack.api.admin("POST", "/concurrency", { concurrencyLimit: 0 });
    expect(lowered.body).toEqual({ concurrencyLimit: 0, liveCalls: 0 });
    expect((await stack.api.createCall()).body).toMatchObject({
      status: "ended",
      endedReason: CONCURRENCY_LIMIT_ENDED_REASON,
    });
    expect((await stack.api.admin("POST", "/concurrency", { concurrencyLimit: -1 })).status).toBe(400);
    expect((await stack.api.admin("POST", "/concurrency", {})).status).toBe(400);

    await stack.api.admin("POST", "/reset");
    expect((await stack.api.admin("GET", "/concurrency")).body).toEqual({ concurrencyLimit: 5, liveCalls: 0 });
    const created = (await stack.api.createCall()).body;
    expect(created).toMatchObject({ status: "queued" });
    expect((created.subscriptionLimits as JsonObject).remainingConcurrentCalls).toBe(4);
  });
});
