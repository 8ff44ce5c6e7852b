import type { JsonObject } from "./assistant";

export type CallStatus = "queued" | "in-progress" | "ended";

export type CallIdentity = {
  id: string;
  orgId: string;
  createdAt: string;
  baseUrl: string;
  roomName: string;
  assistantId?: string;
  transientAssistant?: JsonObject;
  /** Stored exactly as the client sent them (§3.1). */
  assistantOverrides?: JsonObject;
  roomDeleteOnUserLeaveEnabled: boolean;
  listenEnabled: boolean;
  controlEnabled: boolean;
};

export type CallProgress = {
  status: CallStatus;
  updatedAt: string;
  startedAt?: string;
  endedAt?: string;
  endedReason?: string;
  /** cost, costs, costBreakdown, artifact, analysis, messages: set after post-processing. */
  report?: JsonObject;
};

export function webCallUrl(identity: CallIdentity): string {
  return `${identity.baseUrl}/room/${identity.roomName}`;
}

export function controlUrl(identity: CallIdentity): string {
  return `${identity.baseUrl}/${identity.id}/control`;
}

export function listenUrl(identity: CallIdentity): string {
  return `${identity.baseUrl.replace(/^http/, "ws")}/${identity.id}/listen`;
}

/** The Call as POST /call/web returns it (§4.1); webhooks carry the same minus cost and limits. */
export function creationRecord(identity: CallIdentity, subscriptionLimits: JsonObject): JsonObject {
  const [head, tail] = splitAt(snapshotRecord(identity), "monitor");
  return { subscriptionLimits, ...head, cost: 0, ...tail };
}

/** The creation snapshot inside every server message: `status` stays "queued" (§1.1). */
export function snapshotRecord(identity: CallIdentity): JsonObject {
  const url = webCallUrl(identity);
  const monitor: JsonObject = {};
  if (identity.listenEnabled) monitor.listenUrl = listenUrl(identity);
  if (identity.controlEnabled) monitor.controlUrl = controlUrl(identity);
  return {
    id: identity.id,
    orgId: identity.orgId,
    createdAt: identity.createdAt,
    updatedAt: identity.createdAt,
    type: "webCall",
    monitor,
    transport: {
      conversationType: "voice",
      provider: "daily",
      videoRecordingEnabled: false,
      assistantVideoEnabled: false,
      roomDeleteOnUserLeaveEnabled: identity.roomDeleteOnUserLeaveEnabled,
      callUrl: url,
    },
    webCallUrl: url,
    status: "queued",
    ...(identity.assistantId !== undefined ? { assistantId: identity.assistantId } : {}),
    ...(identity.transientAssistant ? { assistant: identity.transientAssistant } : {}),
    ...(identity.assistantOverrides !== undefined ? { assistantOverrides: identity.assistantOverrides } : {}),
  };
}

/** GET /call/{id}: the live record, final once post-processing is done. */
export function currentRecord(identity: CallIdentity, progress: CallProgress): JsonObject {
  return {
    ...snapshotRecord(identity),
    updatedAt: progress.updatedAt,
    status: progress.status,
    ...(progress.startedAt ? { startedAt: progress.startedAt } : {}),
    ...(progress.endedAt ? { endedAt: progress.endedAt } : {}),
    ...(progress.endedReason ? { endedReason: progress.endedReason } : {}),
    cost: 0,
    ...(progress.report ?? {}),
  };
}

function splitAt(record: JsonObject, key: string): [JsonObject, JsonObject] {
  const entries = Object.entries(record);
  const index = entries.findIndex(([name]) => name === key);
  return [Object.fromEntries(entries.slice(0, index)), Object.fromEntries(entries.slice(index))];
}
