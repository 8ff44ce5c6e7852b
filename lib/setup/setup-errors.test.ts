// Every setup failure a user can meet, from the command they type: a one- or two-line message
// that says what to do, and exit code 1.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, test } from "vitest";
import { clusterDir, freePort } from "@/lib/db/embedded-postgres";
import { isRoot } from "@/lib/setup/postgres-as-root";
import { freshDb } from "@/test/db";
import { isShortMessage, REPO, runCommand, TSX } from "./run-command";

const PREFLIGHT = path.join(REPO, "scripts", "setup-preflight.cjs");
const DEV = path.join(REPO, "scripts", "dev.ts");
const PRODUCTION = path.join(REPO, "scripts", "setup-production.ts");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "coach-setup-errors-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function envWithout(...names: string[]): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

const refusedUrl = async () => `postgresql://coach:secret-password@127.0.0.1:${await freePort()}/coach`;

async function holdPort(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

function expectSetupFailure(outcome: { code: number; stderr: string }, ...parts: (string | RegExp)[]) {
  expect(outcome.code, outcome.stderr).toBe(1);
  expect(isShortMessage(outcome.stderr), outcome.stderr).toBe(true);
  for (const part of parts) expect(outcome.stderr).toMatch(part);
}

describe.concurrent("preflight (before npm install finishes, npm run dev, npm test)", () => {
  test("Node older than package.json's engines", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "engines-"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ engines: { node: ">=99.1" } }));
    const outcome = await runCommand(process.execPath, [PREFLIGHT], { cwd: dir });
    expectSetupFailure(
      outcome,
      "needs Node.js >=99.1",
      `this is Node.js ${process.version}`,
      "Install Node.js 99.1.0 or newer",
    );
  });

  test("this Node and this checkout pass", async () => {
    expect(await runCommand(process.execPath, [PREFLIGHT])).toMatchObject({ code: 0, stderr: "" });
  });

  test("npm test without Chromium", async () => {
    const outcome = await runCommand(process.execPath, [PREFLIGHT, "test"], {
      env: { ...process.env, CHROMIUM_PATH: path.join(tmp, "no-chromium") },
    });
    expectSetupFailure(outcome, "needs Chromium", "apt-get install -y chromium");
  });
});

describe.concurrent("npm run dev", () => {
  test("Next's port in use", async () => {
    const held = await holdPort();
    const outcome = await runCommand(TSX, [DEV], {
      env: {
        ...process.env,
        DATABASE_URL: await refusedUrl(),
        PORT: String(held.port),
        VAPI_EMULATOR_PORT: String(await freePort()),
      },
    });
    held.close();
    expectSetupFailure(
      outcome,
      `Port ${held.port} (Next.js) is already in use`,
      `ss -ltnp 'sport = :${held.port}'`,
      `PORT=${held.port + 1} npm run dev`,
    );
  });

  test("the emulator's port in use", async () => {
    const held = await holdPort();
    const outcome = await runCommand(TSX, [DEV], {
      env: {
        ...envWithout("VAPI_API_URL"),
        DATABASE_URL: await refusedUrl(),
        PORT: String(await freePort()),
        VAPI_EMULATOR_PORT: String(held.port),
      },
    });
    held.close();
    expectSetupFailure(
      outcome,
      `Port ${held.port} (the Vapi emulator) is already in use`,
      `VAPI_EMULATOR_PORT=${held.port + 1} npm run dev`,
    );
  });

  test("the data folder held by another npm run dev", async () => {
    // A checkout of its own (scripts resolve data/pg from the working directory), with a live lock.
    const checkout = fs.mkdtempSync(path.join(tmp, "checkout-"));
    const cluster = clusterDir(path.join(checkout, "data", "pg"));
    fs.mkdirSync(cluster, { recursive: true });
    fs.writeFileSync(path.join(cluster, "postmaster.pid"), `${process.pid}\n`);
    try {
      const outcome = await runCommand(TSX, ["--tsconfig", path.join(REPO, "tsconfig.json"), DEV], {
        cwd: checkout,
        env: envWithout("DATABASE_URL"),
      });
      expectSetupFailure(
        outcome,
        `The database folder ${cluster} is in use by another run (its PostgreSQL is process ${process.pid})`,
        "Stop that run first",
      );
    } finally {
      fs.rmSync(isRoot() ? path.dirname(cluster) : cluster, { recursive: true, force: true });
    }
  });

  test("an external DATABASE_URL that refuses the connection", async () => {
    const url = await refusedUrl();
    const outcome = await runCommand(TSX, [DEV], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        PORT: String(await freePort()),
        VAPI_EMULATOR_PORT: String(await freePort()),
      },
    });
    expectSetupFailure(
      outcome,
      `Cannot connect to PostgreSQL at ${new URL(url).host}/coach (DATABASE_URL): connection refused.`,
    );
    expect(outcome.stderr).not.toContain("secret-password");
  });
});

describe.concurrent("npm start (its prestart check)", () => {
  const production = {
    ...envWithout("NEXTAUTH_SECRET", "START_TOKEN_SECRET", "DATABASE_URL"),
    VAPI_ASSISTANT_ID: "coach-assistant",
    VAPI_WEBHOOK_SECRET: "webhook-secret",
    NEXTAUTH_SECRET: "n".repeat(32),
    START_TOKEN_SECRET: "s".repeat(16),
  };

  test("a missing and a too-short secret", async () => {
    const outcome = await runCommand(TSX, [PRODUCTION], {
      env: { ...production, NEXTAUTH_SECRET: undefined, START_TOKEN_SECRET: "short", DATABASE_URL: await refusedUrl() },
    });
    expectSetupFailure(
      outcome,
      "NEXTAUTH_SECRET is not set",
      "START_TOKEN_SECRET is shorter than 16 characters",
      "openssl rand -base64 32",
    );
  });

  test("DATABASE_URL refusing the connection", async () => {
    const outcome = await runCommand(TSX, [PRODUCTION], { env: { ...production, DATABASE_URL: await refusedUrl() } });
    expectSetupFailure(outcome, "connection refused", "correct DATABASE_URL");
  });

  test("DATABASE_URL without the migrations", async () => {
    const url = new URL(inject("templateDatabaseUrl"));
    url.pathname = `/coach_unmigrated_${process.pid}`;
    const admin = new pg.Client({ connectionString: inject("templateDatabaseUrl").replace(/\/[^/]+$/, "/postgres") });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${url.pathname.slice(1)}"`);
    await admin.end();
    const outcome = await runCommand(TSX, [PRODUCTION], { env: { ...production, DATABASE_URL: url.toString() } });
    const count = fs
      .readdirSync(path.join(REPO, "prisma", "migrations"))
      .filter((name) => fs.existsSync(path.join(REPO, "prisma", "migrations", name, "migration.sql"))).length;
    expectSetupFailure(outcome, `lacks ${count} migration(s)`, "npx prisma migrate deploy");
  });

  test("a migrated database and good secrets pass", async () => {
    const { url } = await freshDb();
    expect(await runCommand(TSX, [PRODUCTION], { env: { ...production, DATABASE_URL: url } })).toMatchObject({
      code: 0,
      stderr: "",
    });
  });
});
