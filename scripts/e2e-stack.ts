// Started by Playwright's webServer: a production build of the app, a throwaway embedded
// PostgreSQL, and the Vapi emulator, on the fixed ports in e2e/support/env.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { APP_PORT, E2E_CONCURRENCY_LIMIT, EMULATOR_PORT, e2eEnv } from "@/e2e/support/env";
import { startStack, stopOnSignals } from "./stack";
import { STACK_FILE } from "@/e2e/support/stack-file";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "coach-e2e-pg-"));
delete process.env.DATABASE_URL;
delete process.env.VAPI_API_URL;
const stack = await startStack({
  next: "start",
  appPort: APP_PORT,
  emulatorPort: EMULATOR_PORT,
  dataDir,
  persistentData: false,
  env: e2eEnv,
  // One emulator serves the whole suite, and a call a spec leaves queued holds a line for 30 s:
  // far above what the specs run at once, so only e2e/lines-busy.spec.ts (which lowers it) meets it.
  emulator: { concurrencyLimit: E2E_CONCURRENCY_LIMIT },
});
fs.mkdirSync(path.dirname(STACK_FILE), { recursive: true });
fs.writeFileSync(STACK_FILE, JSON.stringify({ databaseUrl: stack.databaseUrl, pid: process.pid }));
stopOnSignals(stack);
// Tests restart the app mid-call with SIGUSR2 (e2e/coach-call.spec.ts).
process.on("SIGUSR2", () => void stack.restartApp());
process.on("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));
