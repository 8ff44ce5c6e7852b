// Usage: npm run db:migration -- <name>. Runs `prisma migrate dev` against a throwaway embedded server.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { ensureDatabase } from "@/lib/db/migrate";
import { exitOnSetupError, SetupError } from "@/lib/setup/errors";

const name = process.argv[2];
if (!name) exitOnSetupError(new SetupError("The migration needs a name.", "npm run db:migration -- add_something"));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "coach-migrate-"));
const server = await startEmbeddedPostgres({ dataDir, persistent: false }).catch(exitOnSetupError);
try {
  const url = server.url("coach");
  await ensureDatabase(url);
  execFileSync("node_modules/.bin/prisma", ["migrate", "dev", "--name", name, ...process.argv.slice(3)], {
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: url },
  });
} finally {
  await server.stop();
}
