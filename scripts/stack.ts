import { spawn, type ChildProcess } from "node:child_process";
import pretty from "pino-pretty";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations, ensureDatabase } from "@/lib/db/migrate";
import { databaseSetupError } from "@/lib/setup/database";
import { isRoot } from "@/lib/setup/postgres-as-root";
import { isRealVapi } from "@/lib/setup/vapi-target";
import { createDb } from "@/lib/db/client";
import { startVapiEmulator } from "@/vapi-emulator/server";
import { configFromEnv } from "@/vapi-emulator/config";
import { seedDemo } from "./seed-demo";

export type StackOptions = {
  /** "dev" runs `next dev`; "start" runs a production build with `next start`. */
  next: "dev" | "start";
  appPort: number;
  emulatorPort: number;
  dataDir: string;
  persistentData: boolean;
  env: Record<string, string>;
  /**
   * The emulator's concurrency limit (calls queued or in progress at once): Vapi's default of 10
   * unless set here or by VAPI_EMULATOR_CONCURRENCY_LIMIT. Load runs and test suites raise it.
   */
  concurrencyLimit?: number;
};

export type Stack = {
  databaseUrl: string;
  env: Record<string, string>;
  stop: () => Promise<void>;
  restartApp: () => Promise<void>;
};

/**
 * Everything `npm run dev` and the e2e suite need: PostgreSQL (embedded unless DATABASE_URL is
 * set), migrations, demo data, the Vapi emulator (unless VAPI_API_URL is real Vapi), and Next.
 */
export async function startStack(o: StackOptions): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
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

    const appUrl = `http://localhost:${o.appPort}`;
    const env: Record<string, string> = {
      NEXTAUTH_URL: appUrl,
      APP_URL: appUrl,
      VAPI_SERVER_URL: `${appUrl}/api/vapi/webhook`,
      ...o.env,
      ...definedEnv(),
      DATABASE_URL: databaseUrl,
    };
    if (!isRealVapi(env.VAPI_API_URL)) {
      env.VAPI_API_URL = `http://localhost:${o.emulatorPort}`;
      const emulator = await startVapiEmulator({
        ...configFromEnv(env),
        port: o.emulatorPort,
        ...(o.concurrencyLimit !== undefined ? { concurrencyLimit: o.concurrencyLimit } : {}),
      });
      stops.push(emulator.close);
      console.log(`Vapi emulator on ${emulator.url}`);
    }
    let next = spawnNext(o, env);
    stops.push(() => stopProcessGroup(next));
    const restartApp = async () => {
      await stopProcessGroup(next);
      next = spawnNext(o, env);
    };
    return { databaseUrl, env, stop, restartApp };
  } catch (error) {
    await stop();
    throw error;
  }
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

function spawnNext(o: StackOptions, env: Record<string, string>): ChildProcess {
  const args = o.next === "dev" ? ["dev", "-p", String(o.appPort)] : ["start", "-p", String(o.appPort)];
  // Its own process group, so stopping it also stops the next-server child it forks. In `npm run
  // dev`, the app's JSON log lines are made readable (pino-pretty passes Next's own lines through).
  const child = spawn("node_modules/.bin/next", args, {
    env: env as NodeJS.ProcessEnv,
    stdio: ["inherit", o.next === "dev" ? "pipe" : "inherit", "inherit"],
    detached: true,
  });
  if (child.stdout)
    child.stdout.pipe(
      pretty({ colorize: process.stdout.isTTY, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,service" }),
    );
  return child;
}

async function stopProcessGroup(child: ChildProcess) {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
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
