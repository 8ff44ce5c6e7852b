// What the call benchmarks share: a production stack on free ports, the emulator's admin API, and
// percentiles. Prints; asserts nothing.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { freePort } from "@/lib/db/embedded-postgres";
import { exitOnSetupError } from "@/lib/setup/errors";
import type { EmulatorConfig } from "@/vapi-emulator/config";
import { e2eEnv } from "@/e2e/support/env";
import { startStack, type Stack } from "./stack";

export const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
export const fmt = (xs: number[]) =>
  xs.length ? `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms (n=${xs.length})` : "(n=0)";

export type BenchStack = {
  stack: Stack;
  env: Record<string, string>;
  appUrl: string;
  emulatorUrl: string;
  admin: <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;
};

/**
 * A production build of the app (`instances` of it, each running the background work), embedded
 * PostgreSQL and the Vapi emulator (in this process, unless `emulatorProcess`), on free ports, with
 * the e2e stack's settings.
 */
export async function startBenchStack(
  o: {
    instances?: number;
    /** The background work in a worker process of its own, the app instances without it (COACH_WORKERS=off). */
    worker?: boolean;
    emulator?: Partial<EmulatorConfig>;
    /** The emulator in a process of its own, so the benchmark's own work cannot hold it up. */
    emulatorProcess?: boolean;
    env?: Record<string, string>;
    /** Where each process's log goes (a new folder under the system's temporary one by default), so the figures stay readable. */
    logDir?: string;
  } = {},
): Promise<BenchStack> {
  if (!fs.existsSync(".next/BUILD_ID")) throw new Error("No production build: run `npm run build` first.");
  const appPort = await freePort();
  const moreAppPorts: number[] = [];
  for (let i = 1; i < (o.instances ?? 1); i++) moreAppPorts.push(await freePort());
  const emulatorPort = await freePort();
  const appUrl = `http://localhost:${appPort}`;
  const emulatorUrl = `http://localhost:${emulatorPort}`;
  const env = {
    ...e2eEnv,
    APP_URL: appUrl,
    NEXTAUTH_URL: appUrl,
    VAPI_API_URL: emulatorUrl,
    ...(o.worker ? { COACH_WORKERS: "off" } : {}),
    ...o.env,
  };
  delete process.env.DATABASE_URL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "coach-bench-"));
  const logDir = o.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "coach-bench-logs-"));
  console.log(`The app's logs go to ${logDir}.`);
  const stack = await startStack({
    next: "start",
    appPort,
    moreAppPorts,
    emulatorPort,
    dataDir,
    persistentData: false,
    env,
    worker: o.worker,
    emulator: o.emulator,
    emulatorProcess: o.emulatorProcess,
    logDir,
  }).catch(exitOnSetupError);
  for (const url of stack.appUrls)
    for (let i = 0; i < 150; i++) {
      if ((await fetch(`${url}/api/live`).catch(() => null))?.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  const admin = <T>(method: string, p: string, body?: unknown) =>
    adminRequest<T>(`${emulatorUrl}/__emulator${p}`, method, env.VAPI_PRIVATE_KEY, body);
  return {
    stack: { ...stack, stop: () => stack.stop().finally(() => fs.rmSync(dataDir, { recursive: true, force: true })) },
    env: stack.env,
    appUrl,
    emulatorUrl,
    admin,
  };
}

// The benchmarks' own requests to the emulator reuse a few kept-alive sockets. A Node server takes
// one new connection per turn of its event loop (libuv/libuv#3696), so a launch of 100 calls a second on
// fresh connections (fetch opens one for each request in flight) queued the app's and the worker's
// control requests behind it for seconds: lateness of the bench, not of the app.
const adminAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function adminRequest<T>(url: string, method: string, bearer: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method,
        agent: adminAgent,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(new Error(`${method} ${url}: HTTP ${response.statusCode}, not JSON: ${text.slice(0, 200)}`));
          }
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

/** GET /__emulator/calls/:id, the parts the benchmarks read. */
export type CallDetails = {
  call: { startedAt?: string; endedAt?: string; endedReason?: string };
  controlLog: { at: string; source: string; body: { type: string; content?: string } }[];
  deliveries: { type: string; status?: string; at: string; durationMs: number; outcome: string }[];
};
