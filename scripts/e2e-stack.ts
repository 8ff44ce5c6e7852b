// Started by Playwright's webServer: a production build of the app, a throwaway embedded
// PostgreSQL, and the Vapi emulator, on the fixed ports in e2e/support/env.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { APP_PORT, EMULATOR_PORT, vapiKeys } from "@/e2e/support/env";
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
  env: {
    NEXTAUTH_SECRET: "e2e-nextauth-secret",
    START_TOKEN_SECRET: "e2e-start-token-secret",
    VAPI_ORG_ID: vapiKeys.orgId,
    VAPI_PUBLIC_KEY: vapiKeys.publicKey,
    VAPI_PRIVATE_KEY: vapiKeys.privateKey,
    VAPI_ASSISTANT_ID: vapiKeys.assistantId,
    VAPI_WEBHOOK_AUTH: "hmac",
    VAPI_WEBHOOK_SECRET: vapiKeys.webhookSecret,
    VAPI_EMULATOR_POST_PROCESSING_MS: "300",
    COACH_CREDITS_PER_MINUTE: "60",
    COACH_MIN_CREDITS_TO_START: "5",
    COACH_MAX_CALL_MINUTES: "10",
    COACH_WARN_BEFORE_CUTOFF_SECONDS: "8",
  },
});
fs.mkdirSync(path.dirname(STACK_FILE), { recursive: true });
fs.writeFileSync(STACK_FILE, JSON.stringify({ databaseUrl: stack.databaseUrl }));
stopOnSignals(stack);
process.on("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));
