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

/** Vapi's endedReason for a call refused at the org's concurrency limit (vapi-protocol.md §6.4, §6.5). */
export const CONCURRENCY_LIMIT_ENDED_REASON = "call.start.error-subscription-concurrency-limit-reached";

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
  /** The limit the emulator started with: `reset` goes back to it after a test changed it. */
  private readonly startingConcurrencyLimit: number;

  constructor(
    readonly config: ResolvedConfig,
    readonly baseUrl: string,
  ) {
    this.credentials = new CredentialStore(config.orgId);
    this.startingConcurrencyLimit = config.concurrencyLimit;
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

  /**
   * POST /call/web after authentication: returns the response body (§4.1). At the concurrency
   * limit the call is still created, and has already ended (see `refuseAtLimit`).
   */
  createWebCall(body: WebCallBody): { session: CallSession; response: JsonObject } {
    const saved = this.savedAssistant(body);
    const liveBefore = this.liveCalls();
    const blocked = liveBefore >= this.config.concurrencyLimit;
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
    const limits = this.subscriptionLimits(blocked, liveBefore);
    if (blocked) return { session, response: refuseAtLimit(session, identity, limits) };
    return { session, response: creationRecord(identity, limits) };
  }

  /** Calls holding a line: queued (created, nobody joined yet) or in progress. */
  liveCalls(): number {
    return [...this.calls.values()].filter((session) => session.status !== "ended").length;
  }

  /** Admin API: a test lowers (or a bench raises) the limit; calls already live are left alone. */
  setConcurrencyLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 0) throw new HttpError(400, "concurrencyLimit must be a whole number ≥ 0");
    this.config.concurrencyLimit = limit;
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
    this.config.concurrencyLimit = this.startingConcurrencyLimit;
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

  /** §3.1 `subscriptionLimits`; `remainingConcurrentCalls` counts the lines left once this call has one. */
  private subscriptionLimits(blocked: boolean, liveBefore: number): JsonObject {
    const limit = this.config.concurrencyLimit;
    return {
      concurrencyBlocked: blocked,
      concurrencyLimit: limit,
      remainingConcurrentCalls: blocked ? 0 : Math.max(0, limit - liveBefore - 1),
    };
  }
}

/**
 * The org is at its concurrency limit. Vapi's docs say the create answer carries
 * `subscriptionLimits.concurrencyBlocked: true` and the call "does not connect", ending with
 * `call.start.error-subscription-concurrency-limit-reached` ("the call never started"): so a 201
 * with the Call, as for any create. UNCONFIRMED (no captured answer at the limit): that the status
 * is 201 rather than an error, that the body already says `status: "ended"` with the reason, that
 * it still has a `webCallUrl` (its room refuses the join, so the SDK's start() resolves null), and
 * that the call sends `status-update` ended and an end-of-call-report (cost 0, no startedAt) like a
 * call that ended before anyone joined.
 */
function refuseAtLimit(session: CallSession, identity: CallIdentity, limits: JsonObject): JsonObject {
  session.end(CONCURRENCY_LIMIT_ENDED_REASON);
  const { endedAt, endedReason } = session.record();
  return { ...creationRecord(identity, limits), status: "ended", endedReason, endedAt };
}
