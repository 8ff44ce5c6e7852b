import { describe, expect, it } from "vitest";
import assistantRequest from "./fixtures/assistant-request.json";
import endOfCallReport from "./fixtures/end-of-call-report.json";
import statusUpdateInProgress from "./fixtures/status-update-in-progress.json";
import toolCalls from "./fixtures/tool-calls.json";
import {
  callIdOf,
  controlUrlOf,
  dedupeKeyOf,
  messageTimestamp,
  parseServerMessage,
  startMetadataOf,
  toolCallsOf,
  type ServerMessage,
} from "./messages";

const CALL_ID = "3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90";
const CONTROL_URL = `https://phone-call-websocket.aws-us-west-2-backend-production2.vapi.ai/${CALL_ID}/control`;

type Body = { message: Record<string, unknown> };
const copy = (fixture: unknown): Body => structuredClone(fixture) as Body;

function parsed(body: unknown): ServerMessage {
  const result = parseServerMessage(body);
  if (result.kind !== "message") throw new Error(`expected a message, got ${JSON.stringify(result)}`);
  return result.message;
}

function endedStatusUpdate(): Body {
  const body = copy(statusUpdateInProgress);
  Object.assign(body.message, { status: "ended", endedReason: "exceeded-max-duration" });
  return body;
}

describe("parseServerMessage on the §2.3 examples", () => {
  it("reads an in-progress status-update, its call and its start metadata", () => {
    const message = parsed(statusUpdateInProgress);
    expect(message.type).toBe("status-update");
    if (message.type !== "status-update") return;
    expect(message.status).toBe("in-progress");
    expect(callIdOf(message)).toBe(CALL_ID);
    expect(controlUrlOf(message)).toBe(CONTROL_URL);
    expect(startMetadataOf(message)).toEqual({ userId: "usr_123", creditHoldId: "hold_789" });
    expect(messageTimestamp(message)).toEqual(new Date(1789898403455));
  });

  it("keeps unknown fields", () => {
    const message = parsed(statusUpdateInProgress) as Record<string, unknown>;
    expect(message.artifact).toEqual(statusUpdateInProgress.message.artifact);
    expect((message.call as Record<string, unknown>).webCallUrl).toBe("https://vapi.daily.co/Qm7pX2sLkT9vB4nR8cWz");
  });

  it("reads an ended status-update with its endedReason", () => {
    const message = parsed(endedStatusUpdate());
    expect(message).toMatchObject({ type: "status-update", status: "ended", endedReason: "exceeded-max-duration" });
  });

  it("accepts an ended status-update without a call object", () => {
    const body = endedStatusUpdate();
    delete body.message.call;
    const message = parsed(body);
    expect(callIdOf(message)).toBeUndefined();
    expect(controlUrlOf(message)).toBeUndefined();
    expect(startMetadataOf(message)).toEqual({ userId: "usr_123", creditHoldId: "hold_789" });
  });

  it("reads an end-of-call-report with times, durations and cost", () => {
    const message = parsed(endOfCallReport);
    if (message.type !== "end-of-call-report") throw new Error(message.type);
    expect(message).toMatchObject({
      endedReason: "customer-ended-call",
      startedAt: "2026-09-20T10:00:03.412Z",
      endedAt: "2026-09-20T10:04:10.688Z",
      durationMs: 247276,
      durationSeconds: 247.276,
      cost: 0.37,
      summary: "Ada asked about ...",
    });
    expect(message.analysis?.summary).toBe("Ada asked about ...");
    expect(message.artifact?.transcript).toBe("AI: Hi Ada!\nUser: Hi, can you help me?\n");
    expect(message.artifact?.recordingUrl).toMatch(/mono\.wav$/);
    expect(message.costs).toHaveLength(6);
    expect(callIdOf(message)).toBe(CALL_ID);
  });

  it("accepts an older end-of-call-report without durations, cost, times or analysis content", () => {
    const body = copy(endOfCallReport);
    for (const key of [
      "durationMs",
      "durationSeconds",
      "durationMinutes",
      "cost",
      "costs",
      "costBreakdown",
      "startedAt",
      "endedAt",
    ]) {
      delete body.message[key];
    }
    body.message.analysis = {};
    const message = parsed(body);
    expect(message).toMatchObject({ type: "end-of-call-report", endedReason: "customer-ended-call" });
    expect(message).not.toHaveProperty("durationSeconds");
  });

  it("reads an assistant-request for a phone call", () => {
    const message = parsed(assistantRequest);
    expect(message.type).toBe("assistant-request");
    expect(callIdOf(message)).toBe("…");
  });

  it("reads tool-calls with object arguments", () => {
    const message = parsed(toolCalls);
    if (message.type !== "tool-calls") throw new Error(message.type);
    expect(toolCallsOf(message)).toEqual([{ id: "call_51kj", name: "checkBalance", arguments: { userId: "usr_123" } }]);
  });

  it("reads tool-calls whose arguments are a JSON string", () => {
    const body = copy(toolCalls);
    body.message.toolCallList = [
      { id: "call_1", type: "function", function: { name: "checkBalance", arguments: '{"userId":"usr_123"}' } },
      { id: "call_2", type: "function", function: { name: "checkBalance", arguments: "not json" } },
    ];
    const message = parsed(body);
    if (message.type !== "tool-calls") throw new Error(message.type);
    expect(toolCallsOf(message)).toEqual([
      { id: "call_1", name: "checkBalance", arguments: { userId: "usr_123" } },
      { id: "call_2", name: "checkBalance", arguments: null },
    ]);
  });

  it("reads the flattened tool call shape from Vapi's docs", () => {
    const body = copy(toolCalls);
    body.message.toolCallList = [
      { id: "call_1", name: "checkBalance", parameters: { userId: "usr_1" } },
      { id: "call_2", name: "checkBalance", arguments: '{"userId":"usr_2"}' },
      { id: "call_3", name: "noArgs" },
    ];
    const message = parsed(body);
    if (message.type !== "tool-calls") throw new Error(message.type);
    expect(toolCallsOf(message).map((call) => call.arguments)).toEqual([{ userId: "usr_1" }, { userId: "usr_2" }, {}]);
  });
});

describe("parseServerMessage leniency", () => {
  it("accepts an ISO-string timestamp, a noisy float and no timestamp at all", () => {
    const iso = copy(statusUpdateInProgress);
    iso.message.timestamp = "2024-03-19T10:29:51.246Z";
    expect(messageTimestamp(parsed(iso))).toEqual(new Date("2024-03-19T10:29:51.246Z"));

    const noisy = copy(statusUpdateInProgress);
    noisy.message.timestamp = 1710844191246.001;
    expect(messageTimestamp(parsed(noisy))).toEqual(new Date(1710844191246));

    const absent = copy(statusUpdateInProgress);
    delete absent.message.timestamp;
    expect(messageTimestamp(parsed(absent))).toBeUndefined();
  });

  it("accepts time-ordered call ids that are not v4 UUIDs", () => {
    const body = copy(statusUpdateInProgress);
    (body.message.call as Record<string, unknown>).id = "019a7c3e-1f2b-7d4e-8a9b-0c1d2e3f4a5b";
    expect(callIdOf(parsed(body))).toBe("019a7c3e-1f2b-7d4e-8a9b-0c1d2e3f4a5b");
  });

  it("falls back to assistant.metadata when the call carries no override metadata", () => {
    const body = copy(statusUpdateInProgress);
    delete (body.message.call as { assistantOverrides: Record<string, unknown> }).assistantOverrides.metadata;
    (body.message.assistant as Record<string, unknown>).metadata = { userId: "from-assistant" };
    expect(startMetadataOf(parsed(body))).toEqual({ userId: "from-assistant" });
  });

  it.each([
    ["transcript", { role: "user", transcriptType: "partial", transcript: "Hi" }],
    ['transcript[transcriptType="final"]', { role: "user", transcriptType: "final", transcript: "Hi there" }],
    ["conversation-update", { messages: [], messagesOpenAIFormatted: [] }],
    ["speech-update", { status: "started", role: "assistant", turn: 0 }],
    ["hang", {}],
    ["user-interrupted", { turnId: "turn_1" }],
  ])("reads a %s message", (type, fields) => {
    const message = parsed({ message: { type, timestamp: 1789898403455, call: { id: CALL_ID }, ...fields } });
    expect(message).toMatchObject({ type, ...fields });
  });
});

describe("parseServerMessage rejections", () => {
  it.each([
    ["no body", undefined],
    ["an array", []],
    ["no envelope", { type: "status-update", status: "ended" }],
    ["a message without a type", { message: { status: "ended" } }],
  ])("calls %s invalid", (_, body) => {
    expect(parseServerMessage(body).kind).toBe("invalid");
  });

  it.each([
    ["a status-update without status", { type: "status-update" }],
    ["a call with an empty id", { type: "status-update", status: "ended", call: { id: "" } }],
    ["an end-of-call-report without endedReason", { type: "end-of-call-report" }],
    ["an end-of-call-report with a string cost", { type: "end-of-call-report", endedReason: "x", cost: "0.37" }],
    ["tool-calls without toolCallList", { type: "tool-calls" }],
    ["a tool call without id", { type: "tool-calls", toolCallList: [{ function: { name: "f", arguments: {} } }] }],
    ["a transcript without text", { type: "transcript", role: "user", transcriptType: "final" }],
  ])("calls %s invalid, naming the field", (_, message) => {
    const result = parseServerMessage({ message });
    expect(result.kind).toBe("invalid");
    if (result.kind === "invalid") expect(result.issues.every((issue) => issue.startsWith("message"))).toBe(true);
  });

  it("reports an unknown type without judging its shape", () => {
    expect(parseServerMessage({ message: { type: "model-output", output: 42 } })).toEqual({
      kind: "unknown-type",
      type: "model-output",
    });
    expect(parseServerMessage({ message: { type: "toString" } })).toEqual({ kind: "unknown-type", type: "toString" });
  });
});

describe("dedupeKeyOf", () => {
  it("tells status-updates of one call apart by status", () => {
    const inProgress = dedupeKeyOf(parsed(statusUpdateInProgress));
    const ended = dedupeKeyOf(parsed(endedStatusUpdate()));
    expect(inProgress).toBe(`${CALL_ID}:status-update:in-progress`);
    expect(ended).toBe(`${CALL_ID}:status-update:ended`);
  });

  it("gives a redelivered end-of-call-report the same key, whatever its timestamp", () => {
    const again = copy(endOfCallReport);
    again.message.timestamp = 1789898999999;
    expect(dedupeKeyOf(parsed(endOfCallReport))).toBe(`${CALL_ID}:end-of-call-report`);
    expect(dedupeKeyOf(parsed(again))).toBe(dedupeKeyOf(parsed(endOfCallReport)));
  });

  it("keys tool-calls by their tool call ids too", () => {
    expect(dedupeKeyOf(parsed(toolCalls))).toBe(`${CALL_ID}:tool-calls:call_51kj`);
  });

  it("gives a message without call id a stable key of its content", () => {
    const body = endedStatusUpdate();
    delete body.message.call;
    const key = dedupeKeyOf(parsed(body));
    expect(key).toMatch(/^no-call:[0-9a-f]{32}:status-update:ended$/);
    expect(dedupeKeyOf(parsed(structuredClone(body)))).toBe(key);
    body.message.timestamp = 1;
    expect(dedupeKeyOf(parsed(body))).not.toBe(key);
  });
});
