// PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, which must be able
// to reach its binaries and its data. A checkout under /root (mode 700) or any private directory
// is out of its reach, so as root both live under HOME below instead; the user's directories keep
// their modes.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SetupError } from "./errors";

const HOME = "/var/lib/coach-call";
// Throwaway clusters (tests, benches) go where a reboot cleans up after a killed run.
const THROWAWAY_PARENT = "/tmp";

export const isRoot = () => process.getuid?.() === 0;

export type PostgresUser = { uid: number; gid: number };

function ids(): PostgresUser {
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  return { uid: id("-u"), gid: id("-g") };
}

/** The `postgres` user, created (as a system user without a login) when the machine has none. */
export function postgresUser(): PostgresUser {
  try {
    return ids();
  } catch {
    try {
      execFileSync(
        "sh",
        [
          "-c",
          "getent group postgres >/dev/null || groupadd --system postgres; useradd --system --gid postgres --no-create-home --shell /usr/sbin/nologin postgres",
        ],
        { stdio: "ignore" },
      );
    } catch {
      // Another run may have created it meanwhile: ids() below decides.
    }
    try {
      return ids();
    } catch {
      throw new SetupError(
        "PostgreSQL will not run as root, and this machine has no `postgres` user to run it as (useradd failed).",
        "Create one with `useradd --system --user-group postgres`, then run the command again.",
      );
    }
  }
}

function reachableDir(dir: string) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o755);
  } catch (error) {
    throw new SetupError(
      `Cannot create ${dir} for PostgreSQL's files: ${(error as Error).message}.`,
      "PostgreSQL will not run as root; it runs as the `postgres` user, which needs a directory it can reach there.",
    );
  }
}

/** Where the cluster for `dataDir` lives when running as root: one folder per checkout path. */
export function persistentClusterDir(dataDir: string): string {
  const hash = createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 16);
  return path.join(HOME, hash, "pg");
}

/** Creates the folder for a cluster (persistent or throwaway), owned by `postgres`. */
export function prepareClusterDir(dataDir: string, persistent: boolean, user: PostgresUser): string {
  let dir: string;
  if (persistent) {
    dir = persistentClusterDir(dataDir);
    reachableDir(path.dirname(dir));
    fs.writeFileSync(path.join(path.dirname(dir), "source"), `${path.resolve(dataDir)}\n`);
    fs.mkdirSync(dir, { recursive: true });
  } else {
    dir = fs.mkdtempSync(path.join(THROWAWAY_PARENT, "coach-call-pg-"));
  }
  fs.chownSync(dir, user.uid, user.gid);
  return dir;
}

/**
 * A copy of the package's native folder (bin, lib, share) that `postgres` can read, one per
 * PostgreSQL package version. Modes are set explicitly: a root umask of 077 would otherwise leave
 * the copy as private as the original.
 */
export function reachableBinaries(nativeDir: string, version: string): string {
  reachableDir(HOME);
  const target = path.join(HOME, `postgres-${version}-${process.platform}-${process.arch}`);
  if (fs.existsSync(target)) return target;
  const partial = fs.mkdtempSync(`${target}.partial-`);
  copyTree(nativeDir, partial);
  try {
    fs.renameSync(partial, target);
  } catch (error) {
    fs.rmSync(partial, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw error;
  }
  return target;
}

function copyTree(from: string, to: string) {
  fs.chmodSync(to, 0o755);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const copy = path.join(to, entry.name);
    if (entry.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(source), copy);
    } else if (entry.isDirectory()) {
      fs.mkdirSync(copy);
      copyTree(source, copy);
    } else {
      fs.copyFileSync(source, copy);
      fs.chmodSync(copy, fs.statSync(source).mode & 0o100 ? 0o755 : 0o644);
    }
  }
}
