import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import pretty from "pino-pretty";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations, ensureDatabase } from "@/lib/db/migrate";
import { databaseSetupError } from "@/lib/setup/database";
import { isRoot } from "@/lib/setup/postgres-as-root";
import { isRealVapi } from "@/lib/setup/vapi-target";
import { createDb } from "@/lib/db/client";
import { startVapiEmulator } from "@/vapi-emulator/server";
import { configFromEnv, mergeEmulatorConfig, type EmulatorConfig } from "@/vapi-emulator/config";
import { seedDemo } from "./seed-demo";

export type StackOptions = {
  /** "dev" runs `next dev`; "start" runs a production build as `npm start` does (server.ts). */
  next: "dev" | "start";
  appPort: number;
  emulatorPort: number;
  dataDir: string;
  persistentData: boolean;
  env: Record<string, string>;
  /**
   * More instances of the app beside the first, on these ports, sharing its database and emulator,
   * as behind a load balancer: the emulator spreads server messages over all of them in turn.
   */
  moreAppPorts?: number[];
  /** Also run the background work in a process of its own (`npm run worker`). */
  worker?: boolean;
  /** Emulator settings merged over those read from the environment (assistants by id). */
  emulator?: Partial<EmulatorConfig>;
  /** The emulator in a process of its own (`npm run vapi` serve), not in this one: a benchmark's own work then cannot hold it up. */
  emulatorProcess?: boolean;
  /** Each process's output goes to `<logDir>/<name>.log` instead of this terminal. */
  logDir?: string;
};

export type Stack = {
  databaseUrl: string;
  env: Record<string, string>;
  /** The app instances, the first one first (APP_URL names it). */
  appUrls: string[];
  stop: () => Promise<void>;
  restartApp: () => Promise<void>;
  /** Kills instance `index` (its whole process group) with SIGKILL: no cleanup, as when its machine dies. */
  killApp: (index: number) => void;
  /** The processes the stack started, by name (app-1…, worker, emulator), for CPU accounting. */
  processes: () => Map<number, string>;
};

/**
 * Everything `npm run dev` and the e2e suite need: PostgreSQL (embedded unless DATABASE_URL is
 * set), migrations, demo data, the Vapi emulator (unless VAPI_API_URL is real Vapi), and Next.
 */
export async function startStack(o: StackOptions): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  let emulatorChild: ChildProcess | undefined;
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e) => console.error(e));
  };
  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl) {
      const url = databaseUrl;
      await ensureDatabase(url).catch((error) => {
        throw databaseSetupError(error, url) ?? error;
      });
    } else {
      const pg = await startEmbeddedPostgres({ dataDir: o.dataDir, persistent: o.persistentData });
      stops.push(pg.stop);
      databaseUrl = pg.url("coach");
      const owner = isRoot() ? " (owned by the postgres user: PostgreSQL will not run as root)" : "";
      console.log(`PostgreSQL 17 (embedded) on port ${pg.port}, data in ${pg.dataDir}${owner}`);
      await ensureDatabase(databaseUrl);
    }
    await applyMigrations(databaseUrl);
    const db = createDb(databaseUrl);
    if (await seedDemo(db)) console.log("Seeded the demo user and operator (see README.md).");
    await db.$disconnect();

    const ports = [o.appPort, ...(o.moreAppPorts ?? [])];
    const appUrls = ports.map((port) => `http://localhost:${port}`);
    const appUrl = appUrls[0];
    const env: Record<string, string> = {
      NEXTAUTH_URL: appUrl,
      APP_URL: appUrl,
      VAPI_SERVER_URL: appUrls.map((url) => `${url}/api/vapi/webhook`).join(","),
      ...o.env,
      ...definedEnv(),
      DATABASE_URL: databaseUrl,
    };
    if (!isRealVapi(env.VAPI_API_URL)) {
      env.VAPI_API_URL = `http://localhost:${o.emulatorPort}`;
      if (o.emulatorProcess) {
        emulatorChild = await spawnEmulator(o, env);
        const child = emulatorChild;
        stops.push(() => stopProcessGroup(child));
        console.log(`Vapi emulator on ${env.VAPI_API_URL}, in a process of its own`);
      } else {
        const config = mergeEmulatorConfig(configFromEnv(env), o.emulator ?? {});
        const emulator = await startVapiEmulator({ ...config, port: o.emulatorPort });
        stops.push(emulator.close);
        console.log(`Vapi emulator on ${emulator.url}`);
      }
    }
    const apps = ports.map((port, i) => spawnNext(o, port, env, `app-${i + 1}`));
    stops.push(() => Promise.all(apps.map(stopProcessGroup)).then(() => {}));
    const worker = o.worker ? spawnWorker(o, env) : undefined;
    // Stopped before the apps (stops run in reverse), and like them before PostgreSQL.
    if (worker) stops.push(() => stopProcessGroup(worker));
    const restartApp = async () => {
      await stopProcessGroup(apps[0]);
      apps[0] = spawnNext(o, o.appPort, env, "app-1");
    };
    const killApp = (index: number) => {
      const pid = apps[index]?.pid;
      if (pid && running(apps[index])) process.kill(-pid, "SIGKILL");
    };
    const processes = () =>
      new Map([
        ...apps.map((app, i) => [app.pid ?? 0, `app-${i + 1}`] as const),
        ...(worker ? [[worker.pid ?? 0, "worker"] as const] : []),
        ...(emulatorChild ? [[emulatorChild.pid ?? 0, "emulator"] as const] : []),
      ]);
    return { databaseUrl, env, appUrls, stop, restartApp, killApp, processes };
  } catch (error) {
    await stop();
    throw error;
  }
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

function spawnNext(o: StackOptions, port: number, env: Record<string, string>, name: string): ChildProcess {
  // `npm start` is server.ts (Next, with Vapi's messages answered before it); `npm run dev` is `next dev`.
  const [command, args] =
    o.next === "start"
      ? ["node_modules/.bin/tsx", ["server.ts"]]
      : ["node_modules/.bin/next", ["dev", "-p", String(port)]];
  // Its own process group, so stopping it also stops any child it forks. In `npm run dev`, the
  // app's JSON log lines are made readable (pino-pretty passes Next's own lines through).
  const output = logFile(o, name);
  const child = spawn(command, args, {
    env: { ...env, PORT: String(port) } as Record<string, string> as NodeJS.ProcessEnv,
    stdio: ["inherit", output ?? (o.next === "dev" ? "pipe" : "inherit"), output ?? "inherit"],
    detached: true,
  });
  if (output !== undefined) fs.closeSync(output);
  if (child.stdout)
    child.stdout.pipe(
      pretty({ colorize: process.stdout.isTTY, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,service" }),
    );
  return child;
}

function spawnWorker(o: StackOptions, env: Record<string, string>): ChildProcess {
  const output = logFile(o, "worker");
  const child = spawn("node_modules/.bin/tsx", ["scripts/worker.ts"], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", output ?? "inherit", output ?? "inherit"],
    detached: true,
  });
  if (output !== undefined) fs.closeSync(output);
  return child;
}

/** `vapi-emulator/main.ts` with this stack's settings (the overrides by a config file), once it answers. */
async function spawnEmulator(o: StackOptions, env: Record<string, string>): Promise<ChildProcess> {
  const configFile = path.join(o.dataDir, "emulator-overrides.json");
  fs.writeFileSync(configFile, JSON.stringify(o.emulator ?? {}));
  const output = logFile(o, "emulator");
  const childEnv: Record<string, string> = {
    ...env,
    VAPI_EMULATOR_PORT: String(o.emulatorPort),
    VAPI_EMULATOR_CONFIG: configFile,
  };
  const child = spawn("node_modules/.bin/tsx", ["vapi-emulator/main.ts"], {
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ["ignore", output ?? "inherit", output ?? "inherit"],
    detached: true,
  });
  if (output !== undefined) fs.closeSync(output);
  for (let i = 0; i < 150 && running(child); i++) {
    if (await fetch(`${env.VAPI_API_URL}/__emulator/calls`).catch(() => null)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopProcessGroup(child);
  throw new Error("The Vapi emulator did not start (its log says why).");
}

function logFile(o: StackOptions, name: string): number | undefined {
  if (!o.logDir) return undefined;
  fs.mkdirSync(o.logDir, { recursive: true });
  return fs.openSync(path.join(o.logDir, `${name}.log`), "a");
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

async function stopProcessGroup(child: ChildProcess) {
  if (!running(child) || !child.pid) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (running(child)) process.kill(-child.pid, "SIGKILL");
}

export function stopOnSignals(stack: Stack) {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      await stack.stop();
      process.exit(0);
    });
  }
}
