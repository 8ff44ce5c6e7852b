import type { JsonObject } from "./assistant";
import type { CallSession } from "./call-session";
import type { Emulator } from "./emulator";
import { bearerToken, HttpError, readJsonBody, sendJson } from "./http";
import { isPlainObject } from "./merge";
import type { Route, RouteContext } from "./router";
import { triggerServerMessage } from "./trigger";

type AdminHandler = (context: RouteContext & { body: JsonObject }) => Promise<unknown> | unknown;

/** `/__emulator/*`: inspection and test controls, with `Authorization: Bearer <private key>`. */
export function adminRoutes(emulator: Emulator, internalUrl: () => string): Route[] {
  const { config } = emulator;
  const admin = (method: string, path: string, handler: AdminHandler, status = 200): Route => ({
    method,
    path: `/__emulator${path}`,
    async handle(context) {
      if (bearerToken(context.req) !== config.privateKey) {
        throw new HttpError(401, "The emulator admin API wants `Authorization: Bearer <private key>`.");
      }
      const body = method === "GET" ? {} : await readJsonBody(context.req);
      sendJson(context.res, status, await handler({ ...context, body }));
    },
  });
  const session = (id: string) => emulator.require(id);

  return [
    { method: "GET", path: "/__emulator/health", handle: ({ res }) => sendJson(res, 200, { ok: true }) },
    admin("GET", "/calls", () => [...emulator.calls.values()].map((call) => summary(emulator, call))),
    admin("GET", "/calls/:id", ({ params }) => details(emulator, session(params.id))),
    admin("POST", "/calls/:id/join", ({ params }) => {
      const call = session(params.id);
      if (!call.join("simulated"))
        throw new HttpError(409, `Call ${call.id} is ${call.status}; only a queued call can be joined.`);
      return call.record();
    }),
    admin("POST", "/calls/:id/hangup", ({ params }) => endCall(session(params.id), "customer-ended-call")),
    admin("POST", "/calls/:id/end", ({ params, body }) =>
      endCall(
        session(params.id),
        typeof body.endedReason === "string" ? body.endedReason : config.adminEndCallEndedReason,
      ),
    ),
    admin("POST", "/calls/:id/trigger", ({ params, body }) => {
      if (typeof body.type !== "string") throw new HttpError(400, "trigger needs `type`");
      return triggerServerMessage(
        session(params.id),
        {
          type: body.type,
          tool: typeof body.tool === "string" ? body.tool : undefined,
          arguments: isPlainObject(body.arguments) ? body.arguments : undefined,
          force: body.force === true,
        },
        config,
        emulator.deliverer,
      );
    }),
    admin("GET", "/faults", () => emulator.faults.describe()),
    admin("POST", "/faults", ({ body }) => {
      const { callId, ...faults } = body;
      try {
        return emulator.faults.set(faults, typeof callId === "string" ? callId : undefined);
      } catch (error) {
        throw new HttpError(400, error instanceof Error ? error.message : String(error));
      }
    }),
    admin("DELETE", "/faults", ({ query }) => {
      emulator.faults.clear(query.get("callId") ?? undefined);
      return emulator.faults.describe();
    }),
    admin("GET", "/deliveries", ({ query }) => {
      const callId = query.get("callId");
      return emulator.deliverer.log.filter((entry) => !callId || entry.callId === callId);
    }),
    admin("GET", "/concurrency", () => concurrency(emulator)),
    admin("POST", "/concurrency", ({ body }) => {
      if (typeof body.concurrencyLimit !== "number") throw new HttpError(400, "concurrency needs `concurrencyLimit`");
      emulator.setConcurrencyLimit(body.concurrencyLimit);
      return concurrency(emulator);
    }),
    admin("GET", "/requests", () => Object.fromEntries(emulator.requests)),
    admin("POST", "/attack", ({ body }) => attack(emulator, internalUrl(), body)),
    admin("POST", "/reset", () => {
      emulator.reset();
      return { ok: true };
    }),
  ];
}

function concurrency(emulator: Emulator): JsonObject {
  return { concurrencyLimit: emulator.config.concurrencyLimit, liveCalls: emulator.liveCalls() };
}

function endCall(call: CallSession, endedReason: string): JsonObject {
  if (!call.end(endedReason)) throw new HttpError(409, `Call ${call.id} has already ended.`);
  return call.record();
}

function summary(emulator: Emulator, call: CallSession): JsonObject {
  const record = call.record();
  return {
    id: call.id,
    status: call.status,
    assistantId: record.assistantId ?? null,
    createdAt: record.createdAt,
    startedAt: record.startedAt ?? null,
    endedAt: record.endedAt ?? null,
    endedReason: record.endedReason ?? null,
    customer: call.customer?.via ?? null,
    browserConnected: call.browserConnected,
    deliveries: emulator.deliverer.log.filter((entry) => entry.callId === call.id).length,
  };
}

function details(emulator: Emulator, call: CallSession): JsonObject {
  const { target, settings } = call;
  return {
    call: call.record(),
    live: {
      status: call.status,
      customer: call.customer ?? null,
      browserConnected: call.browserConnected,
      ...call.flags,
      settings,
      delivery: target
        ? { url: target.urls[0], urls: target.urls, timeoutSeconds: target.timeoutSeconds, auth: target.auth.type }
        : null,
    },
    assistant: call.assistant,
    deliveries: emulator.deliverer.log.filter((entry) => entry.callId === call.id),
    controlLog: call.controlLog,
    endOfCallReport: call.reportFields ?? null,
  };
}

/**
 * Creates a call through the same POST /call/web a browser uses (same key checks, same origin
 * check), then joins it as a simulated customer: how an attacker with the public key would.
 */
async function attack(emulator: Emulator, internalUrl: string, body: JsonObject): Promise<JsonObject> {
  const { config } = emulator;
  const key = typeof body.key === "string" ? body.key : "public";
  const token = key === "public" ? config.publicKey : key === "private" ? config.privateKey : key;
  const origin =
    typeof body.origin === "string"
      ? body.origin
      : (config.publicKeyRestrictions.allowedOrigins?.[0] ?? "http://localhost:3000");
  const createBody: JsonObject = isPlainObject(body.assistant)
    ? { assistant: body.assistant }
    : { assistantId: typeof body.assistantId === "string" ? body.assistantId : config.assistants[0].id };
  if (body.overrides !== undefined) createBody.assistantOverrides = body.overrides;
  const response = await fetch(`${internalUrl}/call/web`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", origin },
    body: JSON.stringify(createBody),
  });
  const created = (await response.json()) as JsonObject;
  if (!response.ok) return { httpStatus: response.status, error: created, joined: false };
  const call = emulator.require(String(created.id));
  const joined = body.join === false ? false : call.join("simulated");
  return { httpStatus: response.status, call: created, joined };
}
