// The real @vapi-ai/web SDK, unmodified, against the emulator: its `@daily-co/daily-js` is replaced
// by browser/daily.ts (as the app's bundler alias does), with `ws` and a fake microphone standing
// in for the browser's WebSocket and getUserMedia.
import { createRequire } from "node:module";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket as NodeWebSocket } from "ws";
import Daily from "../browser/daily";
import { ASSISTANT_ID, type JsonObject, KEYS, startStack } from "./support";

type VapiEvents = { name: string; payload: unknown }[];
type VapiInstance = {
  on(event: string, listener: (payload: unknown) => void): void;
  start(assistant: string, overrides?: JsonObject): Promise<JsonObject | null>;
  stop(): Promise<void>;
  end(): void;
  say(message: string, endCallAfterSpoken?: boolean): void;
};
type VapiClass = new (token: string, apiUrl: string) => VapiInstance;

const require = createRequire(import.meta.url);

function loadSdkWithEmulatedDaily(): VapiClass {
  const sdkPath = require.resolve("@vapi-ai/web");
  const dailyPath = require.resolve("@daily-co/daily-js", { paths: [sdkPath] });
  require.cache[dailyPath] = {
    id: dailyPath,
    filename: dailyPath,
    loaded: true,
    exports: { __esModule: true, default: Daily },
  } as unknown as NodeJS.Module;
  return (require(sdkPath) as { default: VapiClass }).default;
}

function fakeMicrophone() {
  const track = {
    kind: "audio",
    enabled: true,
    label: "fake mic",
    stop() {},
    getSettings: () => ({ deviceId: "fake" }),
  };
  return { getAudioTracks: () => [track], getTracks: () => [track] };
}

function recordEvents(vapi: VapiInstance): VapiEvents {
  const events: VapiEvents = [];
  for (const name of [
    "call-start",
    "call-end",
    "message",
    "volume-level",
    "speech-start",
    "error",
    "camera-error",
    "call-start-failed",
  ]) {
    vapi.on(name, (payload) => events.push({ name, payload }));
  }
  return events;
}

const named = (events: VapiEvents, name: string) => events.filter((event) => event.name === name);
const messageTypes = (events: VapiEvents) =>
  named(events, "message").map((event) => (event.payload as JsonObject).type);

describe("the real web SDK on the emulated Daily transport", () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let Vapi: VapiClass;

  beforeAll(async () => {
    vi.stubGlobal("WebSocket", NodeWebSocket);
    Vapi = loadSdkWithEmulatedDaily();
    stack = await startStack({ speechCharsPerSecond: 200 });
  });
  afterEach(() => vi.unstubAllGlobals());
  afterAll(async () => {
    vi.unstubAllGlobals();
    await stack.close();
  });

  function withMicrophone(getUserMedia: () => Promise<unknown>) {
    vi.stubGlobal("WebSocket", NodeWebSocket);
    vi.stubGlobal("navigator", { userAgent: "node", mediaDevices: { getUserMedia } });
    // The SDK removes the assistant's <audio> element by selector when the speaker leaves.
    vi.stubGlobal("document", { querySelector: () => null });
  }

  it("starts, streams client messages and volume, and ends when the page stops", async () => {
    withMicrophone(async () => fakeMicrophone());
    const vapi = new Vapi(KEYS.publicKey, stack.emulator.url);
    const events = recordEvents(vapi);
    const call = await vapi.start(ASSISTANT_ID, { variableValues: { firstName: "Ada" } });
    expect(call?.id).toEqual(expect.any(String));

    await vi.waitFor(() => expect(named(events, "call-start")).toHaveLength(1));
    await vi.waitFor(() => expect(messageTypes(events)).toContain("conversation-update"), { timeout: 3000 });
    await vi.waitFor(() =>
      expect(named(events, "volume-level").some((event) => (event.payload as number) > 0)).toBe(true),
    );
    const transcripts = named(events, "message")
      .map((event) => event.payload as JsonObject)
      .filter((message) => message.type === "transcript");
    expect(transcripts[0]).toMatchObject({ role: "assistant", transcript: expect.stringContaining("Hi") });
    expect(messageTypes(events)[0]).toBe("status-update");

    await vapi.stop();
    await vi.waitFor(() => expect(named(events, "call-end")).toHaveLength(1));
    await vi.waitFor(() => expect(stack.receiver.types(String(call!.id)).at(-1)).toBe("end-of-call-report"));
    const report = stack.receiver.messages(String(call!.id)).at(-1)!;
    expect(report.endedReason).toBe("customer-ended-call");
  });

  it("hears the emulator end the call: status-update ended, then call-end", async () => {
    withMicrophone(async () => fakeMicrophone());
    const vapi = new Vapi(KEYS.publicKey, stack.emulator.url);
    const events = recordEvents(vapi);
    const call = await vapi.start(ASSISTANT_ID);
    await vi.waitFor(() => expect(named(events, "call-start")).toHaveLength(1));

    const ended = await stack.api.admin("POST", `/calls/${call!.id}/end`, { endedReason: "exceeded-max-duration" });
    expect(ended.status).toBe(200);
    await vi.waitFor(() => expect(named(events, "call-end")).toHaveLength(1));
    const last = named(events, "message")
      .map((event) => event.payload as JsonObject)
      .findLast((message) => message.type === "status-update");
    expect(last).toEqual({ type: "status-update", status: "ended", endedReason: "exceeded-max-duration" });
  });

  it("vapi.end() sends end-call over the room and the call ends", async () => {
    withMicrophone(async () => fakeMicrophone());
    const vapi = new Vapi(KEYS.publicKey, stack.emulator.url);
    const events = recordEvents(vapi);
    const call = await vapi.start(ASSISTANT_ID);
    await vi.waitFor(() => expect(named(events, "call-start")).toHaveLength(1));
    vapi.end();
    await vi.waitFor(() => expect(named(events, "call-end")).toHaveLength(1));
    const details = await stack.api.admin("GET", `/calls/${call!.id}`);
    await vi.waitFor(async () =>
      expect((await stack.api.rest("GET", `/call/${call!.id}`)).body.endedReason).toBe("customer-ended-call"),
    );
    expect(details.body.controlLog).toEqual([
      expect.objectContaining({ source: "browser", body: { type: "end-call" }, httpStatus: 200 }),
    ]);
  });

  it("reports a denied microphone as Daily does, and the call ends", async () => {
    withMicrophone(async () => {
      throw Object.assign(new Error("Permission denied"), { name: "NotAllowedError" });
    });
    const vapi = new Vapi(KEYS.publicKey, stack.emulator.url);
    const events = recordEvents(vapi);
    const call = await vapi.start(ASSISTANT_ID);
    await vi.waitFor(() => expect(named(events, "call-end")).toHaveLength(1));
    expect(named(events, "camera-error")[0].payload).toMatchObject({
      error: { error: { type: "permissions", blockedMedia: ["audio"] } },
    });
    await vi.waitFor(async () =>
      expect((await stack.api.rest("GET", `/call/${call!.id}`)).body.endedReason).toBe(
        "customer-did-not-give-microphone-permission",
      ),
    );
  });

  it("fails start() cleanly with a bad key", async () => {
    withMicrophone(async () => fakeMicrophone());
    const vapi = new Vapi("not-a-key", stack.emulator.url);
    const events = recordEvents(vapi);
    expect(await vapi.start(ASSISTANT_ID)).toBeNull();
    expect(named(events, "call-start-failed")).toHaveLength(1);
  });

  it("at the concurrency limit, start() resolves null after emitting the call's id and an error", async () => {
    withMicrophone(async () => fakeMicrophone());
    const occupying = (await stack.api.createCall()).body;
    await stack.api.admin("POST", "/concurrency", { concurrencyLimit: 1 });
    try {
      const vapi = new Vapi(KEYS.publicKey, stack.emulator.url);
      const events = recordEvents(vapi);
      const progress: JsonObject[] = [];
      vapi.on("call-start-progress", (event) => progress.push(event as JsonObject));
      expect(await vapi.start(ASSISTANT_ID)).toBeNull();

      // The page's only handle on the refused call: the id from the creation stage (the body itself is not passed on).
      const created = progress.find((e) => e.stage === "web-call-creation" && e.status === "completed");
      const callId = String((created?.metadata as JsonObject).callId);
      expect(callId).not.toBe(occupying.id);
      expect(named(events, "call-start-failed")).toHaveLength(1);
      expect(named(events, "error").map((e) => (e.payload as JsonObject).type)).toContain("start-method-error");
      expect(named(events, "call-start")).toHaveLength(0);
      const record = (await stack.api.rest("GET", `/call/${callId}`)).body;
      expect(record).toMatchObject({
        status: "ended",
        endedReason: "call.start.error-subscription-concurrency-limit-reached",
      });
    } finally {
      await stack.api.admin("POST", "/concurrency", { concurrencyLimit: 10 });
      await stack.api.admin("POST", `/calls/${occupying.id}/end`);
    }
  });

  it("refuses to join the room of an ended call", async () => {
    withMicrophone(async () => fakeMicrophone());
    const created = (await stack.api.createCall()).body;
    await stack.api.admin("POST", `/calls/${created.id}/end`);
    const call = Daily.createCallObject();
    await expect(call.join({ url: String(created.webCallUrl) })).rejects.toThrow(
      /does not exist or the call has ended/,
    );
    expect(call.meetingState()).toBe("error");
  });
});
