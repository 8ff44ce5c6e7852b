// Contract: what the emulator sends, captured from a real emulated call, (1) compared field by
// field with the payloads captured from live Vapi in vapi-protocol.md, and (2) written to
// fixtures/server-messages.ts, which `tsc` checks against @vapi-ai/server-sdk's types
// (contract-types.ts). After a deliberate change, rewrite the fixtures with `-u`.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_SERVER_MESSAGES } from "../config";
import {
  createWebCallResponseExample,
  endOfCallReportExample,
  statusUpdateInProgressExample,
} from "./protocol-examples";
import { shapeMismatches } from "./shape";
import { type JsonObject, startStack } from "./support";

const OVERRIDES = {
  variableValues: { firstName: "Ada" },
  metadata: { userId: "usr_123", creditHoldId: "hold_789" },
  maxDurationSeconds: 300,
  serverMessages: [...DEFAULT_SERVER_MESSAGES, "transcript", "model-output"],
};

describe("server messages contract", () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let created: JsonObject;
  let messages: JsonObject[];

  beforeAll(async () => {
    // One user turn, then a long silence: the capture does not depend on timing.
    stack = await startStack({
      conversation: [{ role: "user", text: "Hi, can you help me?", pauseMs: 10_000 }],
      speechCharsPerSecond: 200,
    });
    stack.receiver.respond(({ body }) => {
      const message = body.message as JsonObject;
      if (message.type !== "tool-calls") return undefined;
      const [toolCall] = message.toolCallList as JsonObject[];
      return { body: { results: [{ toolCallId: toolCall.id, result: "You have 42 credits left." }] } };
    });
    created = (await stack.api.createCall({ overrides: OVERRIDES })).body;
    const id = String(created.id);
    await stack.api.admin("POST", `/calls/${id}/join`);
    await vi.waitFor(() => {
      const updates = stack.receiver.messages(id).filter((message) => message.type === "conversation-update");
      expect((updates.at(-1)?.messages as unknown[] | undefined)?.length).toBe(3);
    });
    for (const type of ["tool-calls", "hang", "user-interrupted"]) {
      expect((await stack.api.admin("POST", `/calls/${id}/trigger`, { type })).body).toMatchObject({ delivered: true });
    }
    const monitor = created.monitor as JsonObject;
    await stack.api.control(String(monitor.controlUrl), {
      type: "say",
      content: "Goodbye, Ada!",
      endCallAfterSpoken: true,
    });
    await vi.waitFor(() => expect(stack.receiver.types(id).at(-1)).toBe("end-of-call-report"), { timeout: 5000 });
    messages = stack.receiver.messages(id);
  });
  afterAll(() => stack.close());

  const first = (type: string, match: JsonObject = {}) =>
    messages.find(
      (message) => message.type === type && Object.entries(match).every(([key, value]) => message[key] === value),
    )!;

  it("POST /call/web answers like the captured 2026 response (§4.1)", () => {
    expect(shapeMismatches(createWebCallResponseExample, created)).toEqual([]);
  });

  it("status-update in-progress has every field of the captured webCall payload (§2.3)", () => {
    expect(
      shapeMismatches(statusUpdateInProgressExample.message, first("status-update", { status: "in-progress" })),
    ).toEqual([]);
  });

  it("end-of-call-report has every field of the captured report (§2.3)", () => {
    expect(shapeMismatches(endOfCallReportExample.message, first("end-of-call-report"))).toEqual([]);
  });

  it("writes the captured messages as typed fixtures", async () => {
    const fixtures: [string, string, JsonObject][] = [
      ["statusUpdateInProgress", "StatusUpdateMessage", first("status-update", { status: "in-progress" })],
      ["speechUpdate", "SpeechUpdateMessage", first("speech-update")],
      ["transcriptPartial", "TranscriptMessage", first("transcript", { transcriptType: "partial" })],
      ["transcriptFinal", "TranscriptMessage", first("transcript", { transcriptType: "final" })],
      ["modelOutput", "ModelOutputMessage", first("model-output")],
      [
        "conversationUpdate",
        "ConversationUpdateMessage",
        messages.findLast((message) => message.type === "conversation-update")!,
      ],
      ["toolCalls", "ToolCallsMessage", first("tool-calls")],
      ["hang", "HangMessage", first("hang")],
      ["userInterrupted", "UserInterruptedMessage", first("user-interrupted")],
      ["statusUpdateEnded", "StatusUpdateMessage", first("status-update", { status: "ended" })],
      ["endOfCallReport", "EndOfCallReportMessage", first("end-of-call-report")],
    ];
    for (const [name, , message] of fixtures) expect(message, name).toBeDefined();
    await expect(renderFixtures(fixtures)).toMatchFileSnapshot("./fixtures/server-messages.ts");
  });
});

// Values that change from run to run become fixed, plausible ones, so the fixture file is stable.
const VOLATILE_NUMBERS: Record<string, number> = {
  timestamp: 1789898403455,
  time: 1789898403455,
  endTime: 1789898404275,
  secondsFromStart: 1.28,
  duration: 820,
  durationMs: 4200,
  durationSeconds: 4.2,
  durationMinutes: 0.07,
  minutes: 0.07,
  cost: 0.0123,
  stt: 0.0007,
  llm: 0.0003,
  tts: 0.0049,
  vapi: 0.0035,
  total: 0.0123,
};

const VOLATILE_STRINGS: [RegExp, string][] = [
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, "2026-09-20T10:00:00.120Z"],
  [/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g, "019a5c3e-8b1d-7c6e-9f0a-2d7e5b8c1a90"],
  [/localhost:\d+/g, "localhost:4010"],
  [/\/room\/[A-Za-z0-9]{20}/g, "/room/Qm7pX2sLkT9vB4nR8cWz"],
  [/^call_[\w-]+$/, "call_51kj"],
  [/^turn_[0-9a-f]+$/, "turn_7f3a"],
];

function normalize(value: unknown, key = ""): unknown {
  if (typeof value === "number" && key in VOLATILE_NUMBERS) return VOLATILE_NUMBERS[key];
  if (typeof value === "string")
    return VOLATILE_STRINGS.reduce((text, [pattern, fixed]) => text.replace(pattern, fixed), value);
  if (Array.isArray(value)) return value.map((item) => normalize(item));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, normalize(item, name)]));
  }
  return value;
}

function renderFixtures(fixtures: [string, string, JsonObject][]): string {
  const header = [
    "// Generated by vapi-emulator/test/contract.test.ts from a call on the emulator, with volatile",
    "// values (ids, times, durations, costs) fixed. Rewrite: npx vitest run vapi-emulator -u",
    'import type * as Contract from "../contract-types";',
    "",
  ];
  const body = fixtures.map(
    ([name, type, message]) =>
      `export const ${name}: Contract.${type} = ${JSON.stringify({ message: normalize(message) }, null, 2)};\n`,
  );
  return [...header, ...body].join("\n");
}
