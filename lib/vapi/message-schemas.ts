import { z } from "zod";
import { REPLACEMENT_CHARACTER } from "./bounded-json";

// Real payloads grow new fields all the time (vapi-protocol.md §9): every object is loose, and we
// only type what the app reads. Optional fields also accept null, which Vapi sends for some.

// Strings arrive here with NULs and lone surrogates replaced by U+FFFD (lib/vapi/bounded-json.ts).
const nonEmptyString = z.string().min(1);
/**
 * Ids become unique-index keys, which PostgreSQL caps at about 2.7 kB: Vapi's are 36 characters.
 * An id that had to be altered to be stored is refused: a tool result or a call record under the
 * altered id would answer something Vapi never asked about.
 */
const idString = nonEmptyString
  .max(256)
  .refine(
    (id) => !id.includes(REPLACEMENT_CHARACTER),
    "Ids cannot hold NUL characters, lone UTF-16 surrogates or U+FFFD.",
  );

/** Vapi's longest call is maxDurationSeconds' maximum, 43,200 s (vapi-protocol.md §limits); a little more is allowed for its rounding. */
export const MAX_REPORTED_CALL_SECONDS = 43_200 + 600;
const callSeconds = z.number().min(0).max(MAX_REPORTED_CALL_SECONDS);
/** A call's cost in USD: Vapi's charges run to a few dollars a minute. */
const usd = z.number().min(0).max(1_000_000);

/** Epoch ms number (with float noise) since 2024-09, an ISO string before, absent in the oldest. */
const timestampSchema = z.union([z.number(), z.string()]).nullish();

export const callSnapshotSchema = z.looseObject({
  // Time-ordered ids (`019a…`) are not v4 UUIDs: any non-empty string.
  id: idString,
  type: z.string().nullish(),
  assistantId: z.string().nullish(),
  monitor: z.looseObject({ controlUrl: z.string().nullish(), listenUrl: z.string().nullish() }).nullish(),
  assistantOverrides: z.looseObject({ metadata: z.unknown().optional() }).nullish(),
});

const assistantSchema = z.looseObject({ metadata: z.unknown().optional() });

const envelopeFields = {
  timestamp: timestampSchema,
  call: callSnapshotSchema.nullish(),
  assistant: assistantSchema.nullish(),
};

export const statusUpdateSchema = z.looseObject({
  ...envelopeFields,
  type: z.literal("status-update"),
  status: nonEmptyString,
  endedReason: z.string().nullish(),
});

const artifactSchema = z.looseObject({
  transcript: z.string().nullish(),
  messages: z.array(z.unknown()).nullish(),
  recordingUrl: z.string().nullish(),
});

const costItemSchema = z.looseObject({
  type: z.string().nullish(),
  cost: usd.nullish(),
});

export const endOfCallReportSchema = z.looseObject({
  ...envelopeFields,
  type: z.literal("end-of-call-report"),
  endedReason: nonEmptyString,
  startedAt: z.string().nullish(),
  endedAt: z.string().nullish(),
  // Not in Vapi's schema, but sent; absent in older reports (§9).
  durationMs: z
    .number()
    .min(0)
    .max(MAX_REPORTED_CALL_SECONDS * 1000)
    .nullish(),
  durationSeconds: callSeconds.nullish(),
  cost: usd.nullish(),
  costs: z.array(costItemSchema).nullish(),
  analysis: z.looseObject({ summary: z.string().nullish() }).nullish(),
  artifact: artifactSchema.nullish(),
  summary: z.string().nullish(),
  transcript: z.string().nullish(),
  recordingUrl: z.string().nullish(),
});

/** The schema types `arguments` as a JSON string; captured webhooks carry a parsed object. */
const toolArgumentsSchema = z.union([z.record(z.string(), z.unknown()), z.string()]).nullish();

const nestedToolCallSchema = z.looseObject({
  id: idString,
  type: z.string().nullish(),
  function: z.looseObject({ name: nonEmptyString, arguments: toolArgumentsSchema }),
});

/** The flattened shape Vapi's docs examples show. */
const flatToolCallSchema = z.looseObject({
  id: idString,
  name: nonEmptyString,
  arguments: toolArgumentsSchema,
  parameters: toolArgumentsSchema,
});

export const toolCallSchema = z.union([nestedToolCallSchema, flatToolCallSchema]);

export const toolCallsSchema = z.looseObject({
  ...envelopeFields,
  type: z.literal("tool-calls"),
  toolCallList: z.array(toolCallSchema),
});

export const assistantRequestSchema = z.looseObject({
  ...envelopeFields,
  type: z.literal("assistant-request"),
});

export const conversationUpdateSchema = z.looseObject({
  ...envelopeFields,
  type: z.literal("conversation-update"),
  messages: z.array(z.unknown()).nullish(),
  messagesOpenAIFormatted: z.array(z.unknown()).nullish(),
});

export const speechUpdateSchema = z.looseObject({
  ...envelopeFields,
  type: z.literal("speech-update"),
  status: nonEmptyString,
  role: nonEmptyString,
  turn: z.number().nullish(),
});

export const FINAL_TRANSCRIPT_TYPE = 'transcript[transcriptType="final"]';

export const transcriptSchema = z.looseObject({
  ...envelopeFields,
  type: z.enum(["transcript", FINAL_TRANSCRIPT_TYPE]),
  role: nonEmptyString,
  transcriptType: nonEmptyString,
  transcript: z.string(),
});

export const hangSchema = z.looseObject({
  ...envelopeFields,
  type: z.literal("hang"),
});

export const userInterruptedSchema = z.looseObject({
  ...envelopeFields,
  type: z.literal("user-interrupted"),
  turnId: z.string().nullish(),
});

export const messageSchemaByType = {
  "status-update": statusUpdateSchema,
  "end-of-call-report": endOfCallReportSchema,
  "tool-calls": toolCallsSchema,
  "assistant-request": assistantRequestSchema,
  "conversation-update": conversationUpdateSchema,
  "speech-update": speechUpdateSchema,
  transcript: transcriptSchema,
  [FINAL_TRANSCRIPT_TYPE]: transcriptSchema,
  hang: hangSchema,
  "user-interrupted": userInterruptedSchema,
} as const;

export type KnownMessageType = keyof typeof messageSchemaByType;

export type CallSnapshot = z.infer<typeof callSnapshotSchema>;
export type StatusUpdateMessage = z.infer<typeof statusUpdateSchema>;
export type EndOfCallReportMessage = z.infer<typeof endOfCallReportSchema>;
export type RawToolCall = z.infer<typeof toolCallSchema>;
export type NestedToolCall = z.infer<typeof nestedToolCallSchema>;
export type FlatToolCall = z.infer<typeof flatToolCallSchema>;
export type ToolCallsMessage = z.infer<typeof toolCallsSchema>;
export type AssistantRequestMessage = z.infer<typeof assistantRequestSchema>;
export type ConversationUpdateMessage = z.infer<typeof conversationUpdateSchema>;
export type SpeechUpdateMessage = z.infer<typeof speechUpdateSchema>;
export type TranscriptMessage = z.infer<typeof transcriptSchema>;
export type HangMessage = z.infer<typeof hangSchema>;
export type UserInterruptedMessage = z.infer<typeof userInterruptedSchema>;

export type ServerMessage =
  | StatusUpdateMessage
  | EndOfCallReportMessage
  | ToolCallsMessage
  | AssistantRequestMessage
  | ConversationUpdateMessage
  | SpeechUpdateMessage
  | TranscriptMessage
  | HangMessage
  | UserInterruptedMessage;
