// What the call benchmarks share: a production stack on free ports, the emulator's admin API, and
// percentiles. Prints; asserts nothing.
import fs from "node:fs";
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
    logDir: o.logDir,
  }).catch(exitOnSetupError);
  for (const url of stack.appUrls)
    for (let i = 0; i < 150; i++) {
      if ((await fetch(`${url}/api/live`).catch(() => null))?.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  const admin = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${emulatorUrl}/__emulator${p}`, {
      method,
      headers: { authorization: `Bearer ${env.VAPI_PRIVATE_KEY}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await r.json()) as T;
  };
  return {
    stack: { ...stack, stop: () => stack.stop().finally(() => fs.rmSync(dataDir, { recursive: true, force: true })) },
    env: stack.env,
    appUrl,
    emulatorUrl,
    admin,
  };
}

/** GET /__emulator/calls/:id, the parts the benchmarks read. */
export type CallDetails = {
  call: { startedAt?: string; endedAt?: string; endedReason?: string };
  controlLog: { at: string; source: string; body: { type: string; content?: string } }[];
  deliveries: { type: string; status?: string; at: string; durationMs: number; outcome: string }[];
};
