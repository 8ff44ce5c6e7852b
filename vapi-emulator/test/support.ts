import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatorConfig } from "../config";
import { type RunningEmulator, startVapiEmulator } from "../server";

export type JsonObject = Record<string, unknown>;

export const KEYS = { orgId: "org-test", publicKey: "pk-test", privateKey: "sk-test" } as const;
export const ASSISTANT_ID = "coach-test";
export const ORIGIN = "http://localhost:3000";

export type ReceivedRequest = {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: JsonObject;
  at: number;
};

type Responder = (request: ReceivedRequest) => { status?: number; body?: unknown } | undefined;

/** A throwaway webhook receiver on port 0 that records every request (calcom's fixture idea). */
export async function startReceiver() {
  const requests: ReceivedRequest[] = [];
  let responder: Responder = () => undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const request = {
        path: req.url ?? "/",
        headers: req.headers,
        rawBody,
        body: JSON.parse(rawBody || "{}"),
        at: Date.now(),
      };
      requests.push(request);
      const reply = responder(request) ?? {};
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    respond(next: Responder) {
      responder = next;
    },
    /** `message` bodies received, optionally for one call. */
    messages(callId?: string): JsonObject[] {
      return requests
        .map((request) => request.body.message as JsonObject)
        .filter((message) => !callId || (message.call as JsonObject | undefined)?.id === callId);
    },
    types(callId?: string): string[] {
      return this.messages(callId).map((message) =>
        message.type === "status-update" ? `status-update:${String(message.status)}` : String(message.type),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Short timings so a whole call takes well under a second. */
export function fastConfig(webhookUrl: string | undefined, extra: Partial<EmulatorConfig> = {}): EmulatorConfig {
  return {
    ...KEYS,
    assistants: [
      {
        id: ASSISTANT_ID,
        name: "Test Coach",
        firstMessage: "Hi {{firstName}}!",
        ...(webhookUrl
          ? { server: { url: `${webhookUrl}/webhook`, auth: { type: "hmac", secret: "whsec-test" } } }
          : {}),
      },
    ],
    postProcessingDelayMs: 60,
    customerJoinTimeoutSeconds: 30,
    speechCharsPerSecond: 400,
    conversation: [
      { role: "user", text: "I want to practise my pitch.", pauseMs: 20 },
      { role: "assistant", text: "Great, go ahead.", pauseMs: 20 },
    ],
    ...extra,
  };
}

type ExtraConfig = Partial<EmulatorConfig> | ((receiverUrl: string) => Partial<EmulatorConfig>);

/** An emulator whose assistant posts to a fresh receiver; `extra` may depend on the receiver's URL. */
export async function startStack(extra: ExtraConfig = {}) {
  const receiver = await startReceiver();
  const emulator = await startVapiEmulator(
    fastConfig(receiver.url, typeof extra === "function" ? extra(receiver.url) : extra),
  );
  return {
    receiver,
    emulator,
    api: apiClient(emulator),
    close: () => Promise.all([emulator.close(), receiver.close()]),
  };
}

export function apiClient(emulator: RunningEmulator) {
  async function request(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as JsonObject,
    };
  }
  return {
    createCall(options: { overrides?: JsonObject; key?: string; origin?: string; body?: JsonObject } = {}) {
      const body = options.body ?? {
        assistantId: ASSISTANT_ID,
        ...(options.overrides ? { assistantOverrides: options.overrides } : {}),
      };
      return request("POST", "/call/web", options.key ?? KEYS.publicKey, body, { origin: options.origin ?? ORIGIN });
    },
    admin(method: string, path: string, body?: unknown) {
      return request(method, `/__emulator${path}`, KEYS.privateKey, body);
    },
    rest(method: string, path: string, token: string = KEYS.privateKey) {
      return request(method, path, token);
    },
    async control(controlUrl: string, body: JsonObject, token?: string) {
      const response = await fetch(controlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as JsonObject };
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
