import { VapiClient, VapiError, VapiTimeoutError } from "@vapi-ai/server-sdk";
import { z } from "zod";

/** The parts of Vapi's Call object the app bills and polices with (vapi-protocol.md §3, §6.4). */
export type VapiCall = {
  id: string;
  status: string;
  assistantId?: string;
  createdAt: Date;
  /** When Vapi last changed the call (it started, ended, its report was attached…). */
  updatedAt: Date;
  startedAt?: Date;
  endedAt?: Date;
  endedReason?: string;
  /** USD; final only once post-processing is done (§7). */
  cost?: number;
  monitor?: { controlUrl?: string };
  /** Exactly as the client sent them: untrusted, see overrides.ts. */
  assistantOverrides?: Record<string, unknown>;
  /** endedAt − startedAt with ms precision, when both are known. */
  durationSeconds?: number;
};

export type VapiRestErrorKind = "unauthorized" | "not-found" | "timeout" | "network" | "http" | "invalid-response";

export class VapiRestError extends Error {
  readonly kind: VapiRestErrorKind;
  readonly status?: number;

  constructor(kind: VapiRestErrorKind, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "VapiRestError";
    this.kind = kind;
    this.status = options.status;
  }
}

export type VapiRestClientOptions = {
  /** e.g. https://api.vapi.ai, or the emulator's URL. */
  apiBaseUrl: string;
  /** The PRIVATE key: never let it reach the browser. */
  privateKey: string;
  timeoutMs?: number;
  /** Retries on 408/429/5xx with backoff; off by default so callers keep control of their own pace. */
  maxRetries?: number;
};

export type ListCallsQuery = {
  assistantId?: string;
  createdAtGt?: Date;
  createdAtLe?: Date;
  updatedAtGt?: Date;
  limit?: number;
};

export type VapiRestClient = {
  getCall(id: string): Promise<VapiCall>;
  listCalls(query?: ListCallsQuery): Promise<VapiCall[]>;
};

export function createVapiRestClient({
  apiBaseUrl,
  privateKey,
  timeoutMs = 10_000,
  maxRetries = 0,
}: VapiRestClientOptions): VapiRestClient {
  const client = new VapiClient({
    token: privateKey,
    baseUrl: apiBaseUrl,
    timeoutInSeconds: timeoutMs / 1000,
    maxRetries,
  });

  return {
    async getCall(id) {
      if (!id) throw new VapiRestError("not-found", "empty call id");
      const body = await request(`GET /call/${id}`, () => client.calls.get({ id }));
      return normalizeCall(body, `GET /call/${id}`);
    },
    async listCalls({ assistantId, createdAtGt, createdAtLe, updatedAtGt, limit } = {}) {
      const body = await request("GET /call", () =>
        client.calls.list({
          assistantId,
          limit,
          createdAtGt: createdAtGt?.toISOString(),
          createdAtLe: createdAtLe?.toISOString(),
          updatedAtGt: updatedAtGt?.toISOString(),
        }),
      );
      if (!Array.isArray(body)) throw new VapiRestError("invalid-response", "GET /call: expected an array");
      // One unreadable call fails the whole list: silently skipping it could leave a call unbilled.
      return body.map((call) => normalizeCall(call, "GET /call"));
    },
  };
}

async function request(what: string, send: () => Promise<unknown>): Promise<unknown> {
  try {
    return await send();
  } catch (error) {
    throw toRestError(what, error);
  }
}

export function toRestError(what: string, error: unknown): VapiRestError {
  // SDK 2.0.1 aborts with the string reason "timeout", which Node's fetch rethrows as is, so the
  // SDK's own VapiTimeoutError never fires: the string arrives as the VapiError's cause instead.
  const timedOut = error instanceof VapiTimeoutError || (error instanceof VapiError && error.cause === "timeout");
  if (timedOut) return new VapiRestError("timeout", `${what}: timed out`, { cause: error });
  if (error instanceof VapiError && error.statusCode !== undefined) {
    const status = error.statusCode;
    const kind = status === 401 ? "unauthorized" : status === 404 ? "not-found" : "http";
    return new VapiRestError(kind, `${what}: HTTP ${status}`, { status, cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new VapiRestError("network", `${what}: ${detail}`, { cause: error });
}

const isoDate = z
  .string()
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), "not a date");

const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

const callResponseSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  assistantId: optional(z.string()),
  createdAt: isoDate,
  updatedAt: optional(isoDate),
  startedAt: optional(isoDate),
  endedAt: optional(isoDate),
  endedReason: optional(z.string()),
  cost: optional(z.number()),
  monitor: optional(z.looseObject({ controlUrl: optional(z.string()) })),
  assistantOverrides: optional(z.record(z.string(), z.unknown())),
});

function normalizeCall(body: unknown, what: string): VapiCall {
  const parsed = callResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new VapiRestError("invalid-response", `${what}: ${issues}`);
  }
  const call = parsed.data;
  const durationSeconds =
    call.startedAt && call.endedAt ? (call.endedAt.getTime() - call.startedAt.getTime()) / 1000 : undefined;
  return dropUndefined({
    id: call.id,
    status: call.status,
    assistantId: call.assistantId,
    createdAt: call.createdAt,
    updatedAt: call.updatedAt ?? call.createdAt,
    startedAt: call.startedAt,
    endedAt: call.endedAt,
    endedReason: call.endedReason,
    cost: call.cost,
    monitor: call.monitor ? dropUndefined({ controlUrl: call.monitor.controlUrl }) : undefined,
    assistantOverrides: call.assistantOverrides,
    durationSeconds,
  });
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
