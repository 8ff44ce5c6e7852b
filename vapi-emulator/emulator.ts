import {
  deliveryTarget,
  effectiveAssistant,
  effectiveSettings,
  type JsonObject,
  savedAssistantView,
} from "./assistant";
import { applyAssistantUpdate } from "./assistant-update";
import { type CallIdentity, creationRecord } from "./call-record";
import { CallSession } from "./call-session";
import type { AssistantConfig, ResolvedConfig } from "./config";
import { CredentialStore } from "./credentials";
import { Deliverer } from "./delivery";
import { FaultRegistry } from "./faults";
import { HttpError } from "./http";
import { roomName, timeOrderedId } from "./ids";
import { clone } from "./merge";
import type { WebCallBody } from "./validate-web-call";

/** Everything one running emulator knows: its calls, their rooms, deliveries and faults. */
export class Emulator {
  readonly calls = new Map<string, CallSession>();
  readonly faults = new FaultRegistry();
  readonly deliverer = new Deliverer(this.faults);
  /** Requests answered, by route ("GET /call", "POST /:callId/control"…): how often the app asks what. */
  readonly requests = new Map<string, number>();
  private readonly rooms = new Map<string, CallSession>();
  private readonly assistantsCreatedAt = new Date().toISOString();
  private readonly assistantsUpdatedAt = new Map<string, string>();
  readonly credentials: CredentialStore;

  constructor(
    readonly config: ResolvedConfig,
    readonly baseUrl: string,
  ) {
    this.credentials = new CredentialStore(config.orgId);
  }

  /** GET /assistant/:id: the saved assistant in Vapi's Assistant shape. */
  assistantView(id: string): JsonObject {
    const assistant = this.requireAssistant(id);
    const view = savedAssistantView(assistant, this.config, this.assistantsCreatedAt);
    return { ...view, updatedAt: this.assistantsUpdatedAt.get(id) ?? this.assistantsCreatedAt };
  }

  /** PATCH /assistant/:id: calls created afterwards use the updated assistant; live calls keep theirs. */
  updateAssistant(id: string, body: JsonObject): JsonObject {
    const index = this.config.assistants.indexOf(this.requireAssistant(id));
    this.config.assistants[index] = applyAssistantUpdate(this.config.assistants[index], body, (credentialId) =>
      this.credentials.authFor(credentialId),
    );
    this.assistantsUpdatedAt.set(id, new Date().toISOString());
    return this.assistantView(id);
  }

  /** POST /call/web after authentication: returns the response body (§4.1). */
  createWebCall(body: WebCallBody): { session: CallSession; response: JsonObject } {
    const saved = this.savedAssistant(body);
    const overrides = body.assistantOverrides;
    const assistant = effectiveAssistant(saved.view, overrides);
    const settings = effectiveSettings(assistant);
    const now = Date.now();
    const identity: CallIdentity = {
      id: timeOrderedId(now),
      orgId: this.config.orgId,
      createdAt: new Date(now).toISOString(),
      baseUrl: this.baseUrl,
      roomName: roomName(),
      ...(body.assistantId !== undefined ? { assistantId: body.assistantId } : {}),
      ...(body.assistant ? { transientAssistant: clone(body.assistant) } : {}),
      ...(overrides !== undefined ? { assistantOverrides: clone(overrides) } : {}),
      roomDeleteOnUserLeaveEnabled: body.roomDeleteOnUserLeaveEnabled ?? true,
      listenEnabled: settings.listenEnabled,
      controlEnabled: settings.controlEnabled,
    };
    const session = new CallSession({
      config: this.config,
      deliverer: this.deliverer,
      identity,
      assistant,
      settings,
      target: deliveryTarget(saved.server, assistant.server, this.config.orgServer),
    });
    this.calls.set(session.id, session);
    this.rooms.set(identity.roomName, session);
    return { session, response: creationRecord(identity, this.subscriptionLimits()) };
  }

  findByRoom(name: string): CallSession | undefined {
    return this.rooms.get(name);
  }

  require(id: string): CallSession {
    const session = this.calls.get(id);
    if (!session) throw new HttpError(404, `Call ${id} not found.`);
    return session;
  }

  reset(): void {
    for (const session of this.calls.values()) session.dispose();
    this.calls.clear();
    this.rooms.clear();
    this.requests.clear();
    this.faults.clear();
    this.deliverer.reset();
  }

  close(): void {
    for (const session of this.calls.values()) session.dispose();
    this.deliverer.reset();
  }

  private requireAssistant(id: string): AssistantConfig {
    const assistant = this.config.assistants.find((candidate) => candidate.id === id);
    if (!assistant) throw new HttpError(404, `Couldn't Get Assistant. \`assistantId\` ${id} Does Not Exist.`);
    return assistant;
  }

  private savedAssistant(body: WebCallBody) {
    if (body.assistant) return { view: clone(body.assistant), server: undefined };
    const assistant = this.config.assistants.find((candidate) => candidate.id === body.assistantId);
    if (!assistant)
      throw new HttpError(400, `Couldn't Get Assistant. \`assistantId\` ${body.assistantId} Does Not Exist.`);
    return { view: savedAssistantView(assistant, this.config, this.assistantsCreatedAt), server: assistant.server };
  }

  private subscriptionLimits(): JsonObject {
    const live = [...this.calls.values()].filter((session) => session.status !== "ended").length;
    const limit = this.config.concurrencyLimit;
    return {
      concurrencyBlocked: live > limit,
      concurrencyLimit: limit,
      remainingConcurrentCalls: Math.max(0, limit - live),
    };
  }
}
