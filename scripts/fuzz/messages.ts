// Vapi server messages (shared/vapi-protocol.md §2), one arbitrary per type. "plausible" values are
// what Vapi sends; "hostile" ones keep each message valid for its schema but put extreme values in it.
import fc from "fast-check";
import {
  RUN_STARTED_AT,
  decimal,
  extraFields,
  freshCallId,
  hostileNumber,
  hostileText,
  isoTime,
  plausibleDurationSeconds,
  plausibleText,
  sometimes,
  timestampMs,
} from "./values";

export type Tone = "plausible" | "hostile";
export type Json = Record<string, unknown>;

/** Replaced by the emulator's URL when a case is sent: the app then reaches a control route that answers 404. */
export const EMULATOR_URL_PLACEHOLDER = "$EMULATOR";

export const STATUSES = [
  "scheduled",
  "queued",
  "ringing",
  "in-progress",
  "forwarding",
  "ended",
  "not-found",
  "deletion-failed",
] as const;
const ENDED_REASONS = [
  "customer-ended-call",
  "assistant-ended-call",
  "exceeded-max-duration",
  "silence-timed-out",
  "manually-canceled",
  "assistant-ended-call-after-message-spoken",
  "call.in-progress.error-vapifault-worker-died",
  "pipeline-error-openai-llm-failed",
  "customer-did-not-give-microphone-permission",
  "call.start.error-subscription-concurrency-limit-reached",
];

const textFor = (tone: Tone) => (tone === "plausible" ? plausibleText : sometimes(plausibleText, hostileText));
const numberFor = (tone: Tone, plausible: fc.Arbitrary<number>) =>
  tone === "plausible" ? plausible : sometimes(plausible, hostileNumber);
const extrasFor = (tone: Tone) => (tone === "plausible" ? fc.constant({}) : sometimes(fc.constant({}), extraFields));

const controlUrl = (callId: string) =>
  fc.oneof(
    { arbitrary: fc.constant(`${EMULATOR_URL_PLACEHOLDER}/${callId}/control`), weight: 6 },
    {
      arbitrary: fc.constant(
        `https://phone-call-websocket.aws-us-west-2-backend-production2.vapi.ai/${callId}/control`,
      ),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom(
        "http://127.0.0.1:9/control",
        "not a url",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "",
        "http://[::1]:9/x",
      ),
      weight: 1,
    },
  );

export function callSnapshot(
  tone: Tone,
  id: fc.Arbitrary<string> = freshCallId,
  metadata: fc.Arbitrary<unknown> = fc.constant(undefined),
) {
  return id.chain((callId) =>
    fc
      .record({
        id: fc.constant(callId),
        orgId: fc.constant("org-fuzz"),
        type: fc.constantFrom(
          "webCall",
          "webCall",
          "webCall",
          "inboundPhoneCall",
          "outboundPhoneCall",
          "vapi.websocketCall",
        ),
        status: fc.constant("queued"),
        assistantId: fc.constant("coach-assistant-e2e"),
        createdAt: isoTime(-180_000, -60_000),
        updatedAt: isoTime(-180_000, -60_000),
        monitor: fc.option(
          fc.record({
            controlUrl: controlUrl(callId),
            listenUrl: fc.constant(`wss://example.invalid/${callId}/listen`),
          }),
          { nil: undefined },
        ),
        assistantOverrides: metadata.map((m) => (m === undefined ? {} : { metadata: m })),
      })
      .chain((call) => extrasFor(tone).map((extra) => ({ ...call, ...extra }))),
  );
}

const plausibleTimestamp = fc.integer({ min: -60_000, max: 1_000 }).map((offset) => RUN_STARTED_AT + offset);

/** Fields every message carries, and what tone adds to them. */
function envelope(tone: Tone, type: string, call: fc.Arbitrary<Json | undefined>) {
  return fc.record({
    type: fc.constant(type),
    timestamp: tone === "plausible" ? plausibleTimestamp : sometimes(plausibleTimestamp, timestampMs),
    call,
    assistant: fc.option(fc.record({ id: fc.constant("coach-assistant-e2e"), name: fc.constant("Coach") }), {
      nil: undefined,
    }),
  });
}

// One captured `ended` status-update had no call at all (vapi-protocol.md §9).
const withCall = (tone: Tone): fc.Arbitrary<Json | undefined> =>
  tone === "plausible" ? callSnapshot(tone) : fc.option(callSnapshot(tone), { nil: undefined, freq: 8 });

const statusUpdate = (tone: Tone, call = withCall(tone)) =>
  fc
    .tuple(
      envelope(tone, "status-update", call),
      fc.constantFrom(...STATUSES),
      fc.constantFrom(...ENDED_REASONS),
      extrasFor(tone),
    )
    .map(([m, status, endedReason, extra]) => ({
      ...m,
      status,
      ...(status === "ended" ? { endedReason } : {}),
      ...extra,
    }));

const messageItem = (tone: Tone) =>
  fc.record({
    role: fc.constantFrom("bot", "user", "system", "assistant", "tool_calls", "tool_call_result"),
    message: textFor(tone),
    time: numberFor(tone, fc.integer({ min: 0, max: 2 ** 41 })),
    secondsFromStart: numberFor(tone, decimal(3600, 3)),
    duration: numberFor(tone, fc.integer({ min: 0, max: 60_000 })),
  });

const transcriptText = (tone: Tone) =>
  fc
    .array(fc.tuple(fc.constantFrom("AI", "User"), textFor(tone)), { maxLength: 8 })
    .map((lines) => lines.map(([who, t]) => `${who}: ${t}\n`).join(""));

const endOfCallReport = (tone: Tone, call = withCall(tone), seconds = numberFor(tone, plausibleDurationSeconds)) =>
  fc
    .tuple(
      envelope(tone, "end-of-call-report", call),
      fc.record(
        {
          endedReason: fc.constantFrom(...ENDED_REASONS),
          startedAt:
            tone === "plausible" ? isoTime(-3_600_000, -60_000) : sometimes(isoTime(-3_600_000, 0), hostileText),
          endedAt: tone === "plausible" ? isoTime(-60_000, 0) : sometimes(isoTime(-60_000, 86_400_000), hostileText),
          durationSeconds: seconds,
          durationMs: numberFor(tone, fc.integer({ min: 0, max: 3_600_000 })),
          durationMinutes: numberFor(tone, decimal(60, 4)),
          cost: numberFor(tone, decimal(5, 4)),
          costs: fc.array(
            fc.record({
              type: fc.constantFrom("transcriber", "model", "voice", "vapi", "analysis"),
              cost: numberFor(tone, decimal(1, 8)),
            }),
            { maxLength: 4 },
          ),
          analysis: fc.record(
            { summary: textFor(tone), successEvaluation: fc.constantFrom("true", "false") },
            { requiredKeys: [] },
          ),
          artifact: fc.record(
            {
              transcript: transcriptText(tone),
              messages: fc.array(messageItem(tone), { maxLength: 4 }),
              recordingUrl: fc.constant("https://storage.vapi.ai/x-mono.wav"),
            },
            { requiredKeys: [] },
          ),
          summary: textFor(tone),
          transcript: transcriptText(tone),
        },
        { requiredKeys: ["endedReason"] },
      ),
      extrasFor(tone),
    )
    .map(([m, fields, extra]) => ({ ...m, ...fields, ...extra }));

const conversationUpdate = (tone: Tone, call = withCall(tone)) =>
  fc
    .tuple(envelope(tone, "conversation-update", call), fc.array(messageItem(tone), { maxLength: 6 }), extrasFor(tone))
    .map(([m, messages, extra]) => ({
      ...m,
      messages,
      messagesOpenAIFormatted: messages.map((x) => ({
        role: x.role === "bot" ? "assistant" : x.role,
        content: x.message,
      })),
      ...extra,
    }));

const toolArguments = (tone: Tone) =>
  tone === "plausible"
    ? fc.oneof(fc.constant({}), fc.constant("{}"), fc.record({ userId: fc.constant("usr_1") }))
    : fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileText, fc.constant("{not json"), extraFields);

const plausibleToolCallId = fc.uuid().map((u) => `call_${u.slice(0, 8)}`);
/** Ids and names are required non-empty; a NUL in one is a bad shape, tried elsewhere. */
const hostileName = hostileText.filter((s) => s.length > 0 && !s.includes("\u0000"));

const toolCall = (tone: Tone) =>
  fc
    .tuple(
      tone === "plausible" ? plausibleToolCallId : sometimes(plausibleToolCallId, hostileName),
      tone === "plausible"
        ? fc.constantFrom("getRemainingCredits", "getRemainingCredits", "checkWeather")
        : sometimes(fc.constant("getRemainingCredits"), hostileName),
      toolArguments(tone),
      fc.boolean(),
    )
    .map(([id, name, args, nested]) =>
      nested ? { id, type: "function", function: { name, arguments: args } } : { id, name, arguments: args },
    );

const toolCalls = (tone: Tone, call = withCall(tone)) =>
  fc
    .tuple(
      envelope(tone, "tool-calls", call),
      fc.array(toolCall(tone), { minLength: 1, maxLength: 4 }),
      extrasFor(tone),
    )
    .map(([m, toolCallList, extra]) => ({
      ...m,
      toolCallList,
      toolWithToolCallList: toolCallList.map((toolCall) => ({ type: "function", async: false, toolCall })),
      ...extra,
    }));

const assistantRequest = (tone: Tone) =>
  fc
    .tuple(
      envelope(
        tone,
        "assistant-request",
        callSnapshot(tone).map((c) => ({
          ...c,
          type: "inboundPhoneCall",
          status: "ringing",
          customer: { number: "+14155550123" },
        })),
      ),
      extrasFor(tone),
    )
    .map(([m, extra]) => ({
      ...m,
      phoneNumber: { id: "pn-1", number: "+14155559876", provider: "twilio" },
      customer: { number: "+14155550123" },
      ...extra,
    }));

const transcript = (tone: Tone, call = withCall(tone)) =>
  fc
    .tuple(
      envelope(tone, "transcript", call),
      fc.constantFrom("transcript", 'transcript[transcriptType="final"]'),
      fc.constantFrom("assistant", "user"),
      fc.constantFrom("partial", "final"),
      textFor(tone),
      extrasFor(tone),
    )
    .map(([m, type, role, transcriptType, said, extra]) => ({
      ...m,
      type,
      role,
      transcriptType,
      transcript: said,
      ...extra,
    }));

const speechUpdate = (tone: Tone, call = withCall(tone)) =>
  fc
    .tuple(
      envelope(tone, "speech-update", call),
      fc.constantFrom("started", "stopped"),
      fc.constantFrom("assistant", "user"),
      numberFor(tone, fc.nat(200)),
      extrasFor(tone),
    )
    .map(([m, status, role, turn, extra]) => ({ ...m, status, role, turn, ...extra }));

const hang = (tone: Tone, call = withCall(tone)) =>
  fc.tuple(envelope(tone, "hang", call), extrasFor(tone)).map(([m, extra]) => ({ ...m, ...extra }));

const userInterrupted = (tone: Tone, call = withCall(tone)) =>
  fc
    .tuple(envelope(tone, "user-interrupted", call), fc.option(fc.uuid(), { nil: undefined }), extrasFor(tone))
    .map(([m, turnId, extra]) => ({ ...m, turnId, ...extra }));

export const UNKNOWN_TYPES = [
  "model-output",
  "transfer-update",
  "transfer-destination-request",
  "handoff-destination-request",
  "voice-input",
  "language-changed",
  "language-change-detected",
  "assistant.started",
  "assistant.speechStarted",
  "phone-call-control",
  "function-call",
  "knowledge-base-request",
  "chat.created",
  "session.created",
  "call.deleted",
  "call.artifact.upload",
  "toString",
  "constructor",
  "__proto__",
  "hasOwnProperty",
  "STATUS-UPDATE",
  "status-update ",
  'transcript[transcriptType="partial"]',
];

const unknownType = (tone: Tone) =>
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...UNKNOWN_TYPES),
        hostileText.filter((s) => s.length > 0 && !KNOWN_TYPES.includes(s as KnownType)),
      ),
      withCall(tone),
      extrasFor(tone),
    )
    .map(([type, call, extra]) => ({ type, timestamp: RUN_STARTED_AT, call, output: "tok", ...extra }));

export const KNOWN_TYPES = [
  "status-update",
  "end-of-call-report",
  "conversation-update",
  "tool-calls",
  "assistant-request",
  "transcript",
  "speech-update",
  "hang",
  "user-interrupted",
] as const;
export type KnownType = (typeof KNOWN_TYPES)[number];

const byType: Record<KnownType, (tone: Tone) => fc.Arbitrary<Json>> = {
  "status-update": (tone) => statusUpdate(tone),
  "end-of-call-report": (tone) => endOfCallReport(tone),
  "conversation-update": (tone) => conversationUpdate(tone),
  "tool-calls": (tone) => toolCalls(tone),
  "assistant-request": assistantRequest,
  transcript: (tone) => transcript(tone),
  "speech-update": (tone) => speechUpdate(tone),
  hang: (tone) => hang(tone),
  "user-interrupted": (tone) => userInterrupted(tone),
};

/** A valid message of the given type; its `type` field tells the oracle what reply to expect. */
export const messageOf = (type: KnownType, tone: Tone): fc.Arbitrary<Json> => byType[type](tone);

export const anyKnownMessage = (tone: Tone) => fc.constantFrom(...KNOWN_TYPES).chain((type) => messageOf(type, tone));
export const anyUnknownMessage = (tone: Tone) => unknownType(tone);

/** Messages of a call whose id the caller chose (a paid call's life, a pollution canary). */
export const lifecycle = {
  inProgress: (call: fc.Arbitrary<Json>) =>
    statusUpdate("plausible", call).map((m) => ({ ...m, status: "in-progress", endedReason: undefined })),
  conversation: (call: fc.Arbitrary<Json>) => conversationUpdate("plausible", call),
  toolCalls: (call: fc.Arbitrary<Json>) => toolCalls("plausible", call),
  ended: (call: fc.Arbitrary<Json>) =>
    statusUpdate("plausible", call).map((m) => ({ ...m, status: "ended", endedReason: "customer-ended-call" })),
  report: (call: fc.Arbitrary<Json>, tone: Tone) =>
    endOfCallReport(tone, call, tone === "plausible" ? plausibleDurationSeconds : hostileNumber),
};
