// Where the embedded PostgreSQL keeps its cluster: as root, somewhere the `postgres` user can reach
// even when the checkout is in a private directory; otherwise exactly where it was asked to.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { isRoot } from "@/lib/setup/postgres-as-root";
import { REPO, runCommand, TSX } from "@/lib/setup/run-command";
import { clusterDir, DataFolderLockedError, startEmbeddedPostgres } from "./embedded-postgres";

// Mode 700, like /root: the `postgres` user cannot enter it.
const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "coach-private-"));
afterAll(() => fs.rmSync(privateDir, { recursive: true, force: true }));

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!isRoot()).concurrent("as root", () => {
  const postgresUid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));

  test("a throwaway cluster asked for in a private folder runs outside it, as postgres, and is gone after stop", async () => {
    const dataDir = path.join(privateDir, "throwaway");
    const server = await startEmbeddedPostgres({ dataDir, persistent: false });
    expect(server.dataDir.startsWith(privateDir)).toBe(false);
    expect(fs.statSync(server.dataDir).uid).toBe(postgresUid);
    expect(await query(server.url("postgres"), "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await server.stop();
    expect(fs.existsSync(server.dataDir)).toBe(false);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  test("a persistent one lives in /var/lib/coach-call, keeps its data across restarts and is not started twice", async () => {
    const dataDir = path.join(privateDir, "checkout", "data", "pg");
    const first = await startEmbeddedPostgres({ dataDir, persistent: true });
    try {
      expect(first.dataDir).toBe(clusterDir(dataDir));
      expect(first.dataDir).toMatch(/^\/var\/lib\/coach-call\/[0-9a-f]{16}\/pg$/);
      await query(first.url("postgres"), "CREATE TABLE kept (id int)");
      await expect(startEmbeddedPostgres({ dataDir, persistent: true })).rejects.toThrow(DataFolderLockedError);
      await first.stop();
      const second = await startEmbeddedPostgres({ dataDir, persistent: true });
      expect(await query(second.url("postgres"), "SELECT count(*)::int AS n FROM kept")).toEqual([{ n: 0 }]);
      await second.stop();
    } finally {
      await first.stop();
      fs.rmSync(path.dirname(clusterDir(dataDir)), { recursive: true, force: true });
    }
  });
});

test("not as root, the cluster is where it was asked to be, owned by the user", async (ctx) => {
  // As root, the same code runs as `nobody`, when that user can read this checkout.
  const nobody = isRoot() ? { uid: 65534, gid: 65534 } : {};
  if (
    isRoot() &&
    (await runCommand("test", ["-r", path.join(REPO, "package.json")], { ...nobody, cwd: "/" })).code !== 0
  )
    ctx.skip();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "coach-user-"));
  if (isRoot()) fs.chownSync(home, 65534, 65534);
  try {
    const dataDir = path.join(home, "data", "pg");
    const script = `import("@/lib/db/embedded-postgres").then(async ({ startEmbeddedPostgres }) => {
      const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, persistent: true });
      console.log(server.dataDir);
      await server.stop();
    })`;
    const outcome = await runCommand(TSX, ["-e", script], { ...nobody, env: { ...process.env, HOME: home } });
    expect(outcome.stderr).toBe("");
    expect(outcome.stdout.trim()).toBe(dataDir);
    expect(fs.existsSync(path.join(dataDir, "PG_VERSION"))).toBe(true);
    expect(fs.statSync(dataDir).uid).toBe(process.getuid?.() === 0 ? 65534 : process.getuid?.());
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("a throwaway cluster goes away even when its process exits without stopping it", async () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "coach-exit-")), "pg");
  const script = `import("@/lib/db/embedded-postgres").then(async ({ startEmbeddedPostgres }) => {
    const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, persistent: false });
    console.log(server.dataDir);
    process.exit(0);
  })`;
  const outcome = await runCommand(TSX, ["-e", script]);
  const cluster = outcome.stdout.trim();
  expect(cluster).toMatch(/pg/);
  await expect.poll(() => fs.existsSync(cluster) || fs.existsSync(dataDir), { timeout: 10_000 }).toBe(false);
  fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
});
