import type { DeliveryTarget, EffectiveSettings, JsonObject } from "./assistant";
import { type CallIdentity, type CallProgress, currentRecord, snapshotRecord } from "./call-record";
import type { ResolvedConfig } from "./config";
import { Conversation } from "./conversation";
import type { Deliverer } from "./delivery";
import { buildEndOfCallReport } from "./end-of-call";
import { isPlainObject } from "./merge";
import { clientMessage, type MessageContext, serverEnvelope, subscribed } from "./server-messages";
import { type SpokenRole, Transcript } from "./transcript";

/** The browser's end of the room WebSocket, as the call sees it. */
export interface RoomPeer {
  sendAppMessage(data: string): void;
  setAssistantSpeaking(speaking: boolean): void;
  close(endedReason: string): void;
}

export type ControlLogEntry = {
  at: string;
  source: "control-url" | "browser";
  body: unknown;
  httpStatus: number;
  error?: string;
};

export type SessionSetup = {
  config: ResolvedConfig;
  deliverer: Deliverer;
  identity: CallIdentity;
  assistant: JsonObject;
  settings: EffectiveSettings;
  target: DeliveryTarget | undefined;
};

const BOTH = { server: true, client: true };

/** One web call from creation to its end-of-call-report. */
export class CallSession {
  readonly id: string;
  readonly identity: CallIdentity;
  readonly assistant: JsonObject;
  readonly settings: EffectiveSettings;
  readonly target: DeliveryTarget | undefined;
  readonly transcript: Transcript;
  readonly controlLog: ControlLogEntry[] = [];
  readonly flags = { assistantMuted: false, customerMuted: false, assistantSpeaking: false, playable: false };
  progress: CallProgress;
  customer: { via: "browser" | "simulated"; joinedAt: string } | undefined;
  reportFields: JsonObject | undefined;
  private room: RoomPeer | undefined;
  private readonly snapshot: JsonObject;
  private readonly conversation: Conversation;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly config: ResolvedConfig;
  private readonly deliverer: Deliverer;
  private startedAtMs: number | undefined;

  constructor(setup: SessionSetup) {
    ({ config: this.config, deliverer: this.deliverer, identity: this.identity } = setup);
    ({ assistant: this.assistant, settings: this.settings, target: this.target } = setup);
    this.id = this.identity.id;
    this.snapshot = snapshotRecord(this.identity);
    this.progress = { status: "queued", updatedAt: this.identity.createdAt };
    this.transcript = new Transcript(systemPrompt(this.assistant), Date.parse(this.identity.createdAt));
    this.conversation = new Conversation(
      this.config.conversation,
      this.config.speechCharsPerSecond,
      this.config.partialTranscripts,
      {
        speechStarted: (role, turn) => this.speechStarted(role, turn),
        partialTranscript: (role, text) =>
          this.emit("transcript", { role, transcriptType: "partial", transcript: text }),
        spoken: (role, text, startedAt, endedAt, turn) => this.spoken(role, text, startedAt, endedAt, turn),
        isMuted: (role) => (role === "assistant" ? this.flags.assistantMuted : this.flags.customerMuted),
      },
    );
    const joinTimeoutMs = this.config.customerJoinTimeoutSeconds * 1000 * this.config.timeScale;
    this.schedule(joinTimeoutMs, () => {
      if (this.progress.status === "queued") this.end(this.config.customerJoinTimeoutEndedReason);
    });
  }

  get status() {
    return this.progress.status;
  }

  get browserConnected(): boolean {
    return this.room !== undefined;
  }

  record(): JsonObject {
    return currentRecord(this.identity, this.progress);
  }

  messageContext(): MessageContext {
    return { call: this.snapshot, assistant: this.assistant, artifact: this.transcript.liveArtifact() };
  }

  attachRoom(peer: RoomPeer): void {
    this.room = peer;
  }

  detachRoom(peer: RoomPeer): void {
    if (this.room === peer) this.room = undefined;
  }

  /** The customer is in the room: the call starts (§2.2: the first server message is in-progress). */
  join(via: "browser" | "simulated"): boolean {
    if (this.progress.status !== "queued") return false;
    const now = Date.now();
    this.clearTimers();
    this.startedAtMs = now;
    this.customer = { via, joinedAt: new Date(now).toISOString() };
    this.transcript.startClock(now);
    this.progress = {
      ...this.progress,
      status: "in-progress",
      startedAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    };
    this.room?.sendAppMessage("listening");
    this.emit("status-update", { status: "in-progress" });
    this.schedule(this.settings.maxDurationSeconds * 1000 * this.config.timeScale, () =>
      this.end("exceeded-max-duration"),
    );
    if (this.settings.firstMessage)
      this.conversation.interject({ role: "assistant", text: this.settings.firstMessage }, true);
    this.conversation.start();
    return true;
  }

  /** The browser left the room. With roomDeleteOnUserLeaveEnabled false the call lives on (§4.2). */
  customerLeft(): void {
    if (this.progress.status === "ended") return;
    if (this.identity.roomDeleteOnUserLeaveEnabled || this.progress.status === "queued")
      this.end("customer-ended-call");
  }

  end(endedReason: string): boolean {
    if (this.progress.status === "ended") return false;
    const now = new Date().toISOString();
    this.clearTimers();
    this.conversation.stop();
    this.progress = { ...this.progress, status: "ended", endedAt: now, endedReason, updatedAt: now };
    this.emit("status-update", { status: "ended", endedReason });
    this.room?.close(endedReason);
    this.room = undefined;
    this.schedule(this.config.postProcessingDelayMs, () => this.postProcess());
    return true;
  }

  say(text: string, endCallAfterSpoken: boolean): void {
    const afterSpoken = endCallAfterSpoken ? () => this.end(this.config.sayEndCallEndedReason) : undefined;
    this.conversation.interject({ role: "assistant", text, afterSpoken });
  }

  addMessage(role: string, content: string, triggerResponse: boolean): void {
    this.transcript.addFromControl(role, content, Date.now());
    this.emitConversationUpdate();
    if (triggerResponse && this.progress.status === "in-progress") this.conversation.respondNow();
  }

  sayFirstMessage(): void {
    if (this.settings.firstMessage)
      this.conversation.interject({ role: "assistant", text: this.settings.firstMessage });
  }

  emitConversationUpdate(): void {
    const { messages, messagesOpenAIFormatted } = this.transcript.liveArtifact();
    this.emit("conversation-update", { messages, messagesOpenAIFormatted });
  }

  serverSubscribed(type: string, fields: JsonObject = {}): boolean {
    return subscribed(this.settings.serverMessages, type, fields);
  }

  /** Stops timers and the script without sending anything (reset, shutdown). */
  dispose(): void {
    this.clearTimers();
    this.conversation.stop();
    this.room?.close("emulator-reset");
    this.room = undefined;
  }

  private speechStarted(role: SpokenRole, turn: number): void {
    if (role === "assistant") {
      this.flags.assistantSpeaking = true;
      this.room?.setAssistantSpeaking(true);
    }
    this.emit("speech-update", { status: "started", role, turn });
  }

  private spoken(role: SpokenRole, text: string, startedAt: number, endedAt: number, turn: number): void {
    if (role === "assistant") this.emit("model-output", { output: text });
    this.emit("transcript", { role, transcriptType: "final", transcript: text });
    this.transcript.addSpoken(role, text, startedAt, endedAt);
    if (role === "assistant") {
      this.flags.assistantSpeaking = false;
      this.room?.setAssistantSpeaking(false);
    }
    this.emit("speech-update", { status: "stopped", role, turn });
    this.emitConversationUpdate();
  }

  private postProcess(): void {
    const overrides = this.identity.assistantOverrides;
    const report = buildEndOfCallReport({
      callId: this.id,
      startedAt: this.startedAtMs,
      endedAt: Date.parse(this.progress.endedAt!),
      endedReason: this.progress.endedReason!,
      transcript: this.transcript,
      assistant: this.assistant,
      variableValues: isPlainObject(overrides?.variableValues) ? overrides.variableValues : {},
      recordingBaseUrl: this.identity.baseUrl,
    });
    this.reportFields = report.fields;
    this.progress = { ...this.progress, report: report.call, updatedAt: new Date().toISOString() };
    this.emit("end-of-call-report", report.fields, { server: true, client: false });
    this.deliverer.finish(this.id);
  }

  private emit(type: string, fields: JsonObject, audience = BOTH): void {
    if (audience.server && subscribed(this.settings.serverMessages, type, fields)) {
      this.deliverer.enqueue(this.id, this.target, serverEnvelope(type, fields, this.messageContext()));
    }
    if (audience.client && this.room && subscribed(this.settings.clientMessages, type, fields)) {
      this.room.sendAppMessage(JSON.stringify(clientMessage(type, fields)));
    }
  }

  private schedule(ms: number, job: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      job();
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function systemPrompt(assistant: JsonObject): string | undefined {
  const model = isPlainObject(assistant.model) ? assistant.model : {};
  const messages = Array.isArray(model.messages) ? model.messages : [];
  const system = messages.find((message) => isPlainObject(message) && message.role === "system");
  return isPlainObject(system) && typeof system.content === "string" ? system.content : undefined;
}
