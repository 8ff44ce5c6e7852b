// The server messages the emulator sends, typed with @vapi-ai/server-sdk's own types. Where Vapi
// sends more than the SDK types (vapi-protocol.md §2.2, §9), the extra fields are named here, so
// every difference from the SDK is deliberate and visible. fixtures/server-messages.ts (captured
// from an emulated call) is checked against these by `tsc`.
import type { Vapi } from "@vapi-ai/server-sdk";

type JsonRecord = Record<string, unknown>;

/**
 * `webCallUrl` is not in the Call schema but is returned and read by the web SDK (§3.1); the
 * transport's video flags appear in the captured 2026 response (§4.1).
 */
export type CallSnapshot = Omit<Vapi.Call, "transport"> & {
  transport: Vapi.CallTransport.Daily & { videoRecordingEnabled?: boolean; assistantVideoEnabled?: boolean };
  webCallUrl: string;
};

/** A saved assistant carries its id, org and dates in `message.assistant` (§1.1). */
export type EffectiveAssistant = Vapi.CreateAssistantDto & {
  id?: string;
  orgId?: string;
  createdAt?: string;
  updatedAt?: string;
};

/** OpenAI-format tool calls and tool results carry OpenAI's own fields. */
export type OpenAiMessage = Vapi.OpenAiMessage & { tool_calls?: JsonRecord[]; tool_call_id?: string };

/** The 2025 samples carry `variables` beside `variableValues`. */
export type Artifact = Omit<Vapi.Artifact, "messagesOpenAIFormatted"> & {
  messagesOpenAIFormatted?: OpenAiMessage[];
  variables?: JsonRecord;
};

type Envelope<Message> = Omit<Message, "call" | "assistant" | "artifact" | "messagesOpenAIFormatted"> & {
  call: CallSnapshot;
  assistant: EffectiveAssistant;
  artifact: Artifact;
};

export type StatusUpdateMessage = { message: Envelope<Vapi.ServerMessageStatusUpdate> };
export type SpeechUpdateMessage = { message: Envelope<Vapi.ServerMessageSpeechUpdate> };
export type TranscriptMessage = { message: Envelope<Vapi.ServerMessageTranscript> };
export type HangMessage = { message: Envelope<Vapi.ServerMessageHang> };
export type UserInterruptedMessage = { message: Envelope<Vapi.ServerMessageUserInterrupted> };
/** `output` is "a token or tool call" (§2.2); the SDK types it as an object only, text tokens are strings. */
export type ModelOutputMessage = {
  message: Omit<Envelope<Vapi.ServerMessageModelOutput>, "output"> & { output: string | JsonRecord };
};

export type ConversationUpdateMessage = {
  message: Envelope<Vapi.ServerMessageConversationUpdate> & { messagesOpenAIFormatted: OpenAiMessage[] };
};

/** Captured payloads carry tool arguments as an object; the SDK types them as a JSON string (§2.2). */
type ToolCall = Omit<Vapi.ToolCall, "function"> & { function: { name: string; arguments: JsonRecord } };
type ToolWithToolCall = Omit<Vapi.ServerMessageToolCallsToolWithToolCallListItem.Function, "toolCall"> & {
  toolCall: ToolCall;
};

export type ToolCallsMessage = {
  message: Omit<Envelope<Vapi.ServerMessageToolCalls>, "toolCallList" | "toolWithToolCallList"> & {
    toolCallList: ToolCall[];
    toolWithToolCallList: ToolWithToolCall[];
    /** Legacy duplicate of toolCallList, still sent. */
    toolCalls: ToolCall[];
  };
};

/** The SDK's end-of-call type lacks the duration fields and legacy copies that real reports carry (§2.2, §7). */
export type EndOfCallReportMessage = {
  message: Envelope<Vapi.ServerMessageEndOfCallReport> & {
    durationMs: number;
    durationSeconds: number;
    durationMinutes: number;
    costBreakdown: Vapi.CostBreakdown & { voicemailDetectionCost: number; knowledgeBaseCost: number };
    summary: string;
    transcript: string;
    messages: Vapi.ArtifactMessagesItem[];
    recordingUrl: string;
    stereoRecordingUrl: string;
  };
};
