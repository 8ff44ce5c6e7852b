import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations, ensureDatabase } from "@/lib/db/migrate";
import { exitOnSetupError } from "@/lib/setup/errors";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
  }
}

/**
 * One PostgreSQL per test run, with a migrated template each test file copies (test/db.ts). The
 * embedded PostgreSQL 17 by default; TEST_DATABASE_URL=postgres://user:pass@host:port runs the
 * suite against that server instead (CI runs it once more on Debian's PostgreSQL 15).
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) return templateOnServer(project, process.env.TEST_DATABASE_URL);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "coach-test-pg-"));
  // A setup problem (say, no `postgres` user to run as when root) ends the run in two lines.
  const server = await startEmbeddedPostgres({ dataDir, persistent: false }).catch(exitOnSetupError);
  const templateUrl = server.url("coach_template");
  try {
    await ensureDatabase(templateUrl);
    await applyMigrations(templateUrl);
  } catch (error) {
    await server.stop();
    exitOnSetupError(error);
  }
  project.provide("templateDatabaseUrl", templateUrl);
  return async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

async function templateOnServer(project: TestProject, serverUrl: string) {
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = "/coach_template";
  const admin = new pg.Client({ connectionString: new URL("/postgres", templateUrl).toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "coach_template" WITH (FORCE)`); // a fresh template for every run
  await admin.end();
  await ensureDatabase(templateUrl.toString());
  await applyMigrations(templateUrl.toString());
  project.provide("templateDatabaseUrl", templateUrl.toString());
}
