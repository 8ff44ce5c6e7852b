import type { JsonObject } from "./assistant";
import { isPlainObject } from "./merge";
import type { Transcript } from "./transcript";

// Rates chosen so costs look like the captured samples (§7): $0.05/min platform fee, pro-rated.
const VAPI_PER_MINUTE = 0.05;
const TRANSCRIBER_PER_MINUTE = 0.01;
const VOICE_PER_CHARACTER = 0.00005;
const LLM_PER_PROMPT_TOKEN = 0.15e-6;
const LLM_PER_COMPLETION_TOKEN = 0.6e-6;
const ANALYSIS_PER_PROMPT_TOKEN = 0.075e-6;
const ANALYSIS_PER_COMPLETION_TOKEN = 0.3e-6;
const ANALYSIS_MODEL = { provider: "google", model: "gemini-2.5-flash" };

export type ReportInput = {
  callId: string;
  startedAt?: number;
  endedAt: number;
  endedReason: string;
  transcript: Transcript;
  assistant: JsonObject;
  variableValues: JsonObject;
  recordingBaseUrl: string;
};

/** Fields of the end-of-call-report (type-specific part) and what the Call record gains from it. */
export type Report = { fields: JsonObject; call: JsonObject };

export function buildEndOfCallReport(input: ReportInput): Report {
  const { startedAt, endedAt, transcript } = input;
  const durationMs = startedAt === undefined ? 0 : endedAt - startedAt;
  const durationMinutes = round4(durationMs / 60000);
  const started = startedAt !== undefined;
  const costs = started ? costItems(input, durationMs, durationMinutes) : [];
  const cost = round4(costs.reduce((sum, item) => sum + (item.cost as number), 0));
  const analysis = started ? analyse(transcript) : {};
  const recording = started ? recordingUrls(input.recordingBaseUrl, input.callId) : undefined;
  const artifact: JsonObject = {
    ...transcript.liveArtifact(),
    transcript: transcript.text(),
    ...(recording
      ? {
          recordingUrl: recording.mono,
          stereoRecordingUrl: recording.stereo,
          recording: {
            stereoUrl: recording.stereo,
            mono: { combinedUrl: recording.mono, assistantUrl: recording.assistant, customerUrl: recording.customer },
          },
        }
      : {}),
    nodes: [],
    variables: input.variableValues,
    variableValues: input.variableValues,
  };
  const fields: JsonObject = {
    endedReason: input.endedReason,
    ...(started ? { startedAt: new Date(startedAt).toISOString() } : {}),
    endedAt: new Date(endedAt).toISOString(),
    cost,
    costBreakdown: costBreakdown(costs, cost),
    costs,
    durationMs,
    durationSeconds: durationMs / 1000,
    durationMinutes,
    analysis,
    artifact,
    ...(typeof analysis.summary === "string" ? { summary: analysis.summary } : {}),
    transcript: artifact.transcript,
    messages: artifact.messages,
    ...(recording ? { recordingUrl: recording.mono, stereoRecordingUrl: recording.stereo } : {}),
  };
  const call: JsonObject = {
    cost,
    costs,
    costBreakdown: fields.costBreakdown,
    artifact,
    analysis,
    messages: artifact.messages,
  };
  return { fields, call };
}

function costItems(input: ReportInput, durationMs: number, durationMinutes: number): JsonObject[] {
  const minutes = durationMs / 60000;
  const assistantText = input.transcript.spokenBy("assistant").join(" ");
  const characters = assistantText.length;
  const promptTokens = 400 + 120 * input.transcript.messages.length;
  const completionTokens = Math.ceil(characters / 4);
  const transcriberMinutes = round4(minutes * 1.1);
  const items: JsonObject[] = [
    {
      type: "transcriber",
      transcriber: pick(input.assistant.transcriber, ["provider", "model"]),
      minutes: transcriberMinutes,
      cost: transcriberMinutes * TRANSCRIBER_PER_MINUTE,
    },
    {
      type: "model",
      model: pick(input.assistant.model, ["provider", "model"]),
      promptTokens,
      completionTokens,
      cost: promptTokens * LLM_PER_PROMPT_TOKEN + completionTokens * LLM_PER_COMPLETION_TOKEN,
    },
    {
      type: "voice",
      voice: pick(input.assistant.voice, ["provider", "voiceId", "model"]),
      characters,
      cost: characters * VOICE_PER_CHARACTER,
    },
    { type: "vapi", subType: "normal", minutes: durationMinutes, cost: durationMinutes * VAPI_PER_MINUTE },
    analysisItem("summary", 900, 60),
    analysisItem("successEvaluation", 950, 1),
  ];
  return items;
}

function analysisItem(analysisType: string, promptTokens: number, completionTokens: number): JsonObject {
  return {
    type: "analysis",
    analysisType,
    model: ANALYSIS_MODEL,
    promptTokens,
    completionTokens,
    cost: promptTokens * ANALYSIS_PER_PROMPT_TOKEN + completionTokens * ANALYSIS_PER_COMPLETION_TOKEN,
  };
}

function costBreakdown(costs: JsonObject[], total: number): JsonObject {
  const sum = (type: string) =>
    round4(costs.filter((item) => item.type === type).reduce((acc, item) => acc + (item.cost as number), 0));
  const find = (type: string, analysisType?: string) =>
    costs.find((item) => item.type === type && (!analysisType || item.analysisType === analysisType));
  const model = find("model");
  const voice = find("voice");
  const summary = find("analysis", "summary");
  const evaluation = find("analysis", "successEvaluation");
  return {
    stt: sum("transcriber"),
    llm: sum("model"),
    tts: sum("voice"),
    vapi: sum("vapi"),
    total,
    llmPromptTokens: (model?.promptTokens as number) ?? 0,
    llmCompletionTokens: (model?.completionTokens as number) ?? 0,
    ttsCharacters: (voice?.characters as number) ?? 0,
    voicemailDetectionCost: 0,
    knowledgeBaseCost: 0,
    analysisCostBreakdown: {
      summary: round4((summary?.cost as number) ?? 0),
      summaryPromptTokens: (summary?.promptTokens as number) ?? 0,
      summaryCompletionTokens: (summary?.completionTokens as number) ?? 0,
      successEvaluation: round4((evaluation?.cost as number) ?? 0),
      successEvaluationPromptTokens: (evaluation?.promptTokens as number) ?? 0,
      successEvaluationCompletionTokens: (evaluation?.completionTokens as number) ?? 0,
    },
  };
}

function analyse(transcript: Transcript): JsonObject {
  const userLines = transcript.spokenBy("user");
  const assistantLines = transcript.spokenBy("assistant");
  const topic = userLines[0] ? ` The user opened with: "${userLines[0]}"` : "";
  return {
    summary: `A coaching call with ${assistantLines.length} assistant and ${userLines.length} user turns.${topic}`,
    successEvaluation: String(userLines.length > 0),
  };
}

function recordingUrls(base: string, callId: string) {
  const url = (suffix: string) => `${base}/recordings/${callId}-${suffix}.wav`;
  return { mono: url("mono"), stereo: url("stereo"), assistant: url("assistant-mono"), customer: url("customer-mono") };
}

function pick(value: unknown, keys: string[]): JsonObject {
  if (!isPlainObject(value)) return {};
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]]));
}

export function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}
