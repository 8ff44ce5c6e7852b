// The "cluster" Playwright project's stack: three instances of the app's production build and one
// `npm run worker` on one embedded PostgreSQL, with a Vapi emulator that spreads its server
// messages over the three instances in turn, as a load balancer would (scripts/stack.ts). Started
// once per Playwright worker, on free ports, only when a cluster test runs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "@/lib/db/client";
import { freePort } from "@/lib/db/embedded-postgres";
import { startStack, type Stack } from "@/scripts/stack";
import { e2eEnv } from "./env";
import { emulatorAt, eventually } from "./emulator";
import { test as base } from "./fixtures";

export const INSTANCES = 3;
/** Short, so a test sees several runs; without the job queue's key, each process would run its own chain. */
export const RECONCILE_INTERVAL_SECONDS = 2;

const LOG_DIR = path.join("test-results", "cluster");

/** The cluster's log lines that match, prefixed with their process's file name (for a failure's message). */
export function clusterLogLines(match: RegExp): string[] {
  if (!fs.existsSync(LOG_DIR)) return [];
  return fs.readdirSync(LOG_DIR).flatMap((file) =>
    fs
      .readFileSync(path.join(LOG_DIR, file), "utf8")
      .split("\n")
      .filter((line) => match.test(line))
      .map((line) => `${file}: ${line}`),
  );
}

export type Cluster = {
  stack: Stack;
  db: Db;
  emulator: ReturnType<typeof emulatorAt>;
};

async function startCluster(): Promise<Cluster & { stop: () => Promise<void> }> {
  const emulatorPort = await freePort();
  const appPorts: number[] = [];
  for (let i = 0; i < INSTANCES; i++) appPorts.push(await freePort());
  const appUrl = `http://localhost:${appPorts[0]}`;
  const emulatorUrl = `http://localhost:${emulatorPort}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "coach-cluster-pg-"));
  // As scripts/e2e-stack.ts: a throwaway database and the emulator, whatever the shell says.
  delete process.env.DATABASE_URL;
  delete process.env.VAPI_API_URL;
  const stack = await startStack({
    next: "start",
    appPort: appPorts[0],
    moreAppPorts: appPorts.slice(1),
    emulatorPort,
    dataDir,
    persistentData: false,
    // Every instance runs the background work too (COACH_WORKERS unset), beside the worker: four
    // processes contend for each deadline and each reconciler run, which is what must happen once.
    worker: true,
    logDir: LOG_DIR,
    env: {
      ...e2eEnv,
      APP_URL: appUrl,
      NEXTAUTH_URL: appUrl,
      VAPI_API_URL: emulatorUrl,
      COACH_RECONCILE_INTERVAL_SECONDS: String(RECONCILE_INTERVAL_SECONDS),
    },
  });
  const stop = async () => {
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (const url of stack.appUrls)
      await eventually(
        async () => ((await fetch(`${url}/api/health`).catch(() => null))?.ok ? true : undefined),
        120_000,
        250,
      );
    const db = createDb(stack.databaseUrl);
    // The worker has reported in: it listens on no port, its heartbeat is in the database.
    await eventually(async () => ((await db.workerHeartbeat.count()) > INSTANCES ? true : undefined), 60_000, 250);
    return {
      stack,
      db,
      emulator: emulatorAt(emulatorUrl),
      stop: async () => {
        await db.$disconnect();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The e2e fixtures, on the cluster: `db` is its database, and pages open on its first instance (APP_URL). */
export const test = base.extend<object, { cluster: Cluster }>({
  cluster: [
    async ({}, use) => {
      const { stop, ...cluster } = await startCluster();
      await use(cluster);
      await stop();
    },
    { scope: "worker", timeout: 180_000 },
  ],
  db: async ({ cluster }, use) => use(cluster.db),
  baseURL: async ({ cluster }, use) => use(cluster.stack.appUrls[0]),
});

export { expect } from "./fixtures";
