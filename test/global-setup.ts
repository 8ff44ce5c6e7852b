import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations, ensureDatabase } from "@/lib/db/migrate";
import { exitOnSetupError } from "@/lib/setup/errors";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
  }
}

/** One PostgreSQL per test run, with a migrated template each test file copies (test/db.ts). */
export default async function setup(project: TestProject) {
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
