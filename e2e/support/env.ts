// The stack Playwright's webServer starts (scripts/e2e-stack.ts): the app on APP_PORT, the Vapi
// emulator on EMULATOR_PORT, both pointed at each other with these keys. E2E_APP_PORT and
// E2E_EMULATOR_PORT move them, so two checkouts on one machine can run their suites at once.
export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);
export const EMULATOR_PORT = Number(process.env.E2E_EMULATOR_PORT ?? 4110);
export const appUrl = `http://localhost:${APP_PORT}`;
export const emulatorUrl = `http://localhost:${EMULATOR_PORT}`;
export const vapiKeys = {
  orgId: "org-e2e",
  publicKey: "e2e-public-key",
  privateKey: "e2e-private-key",
  assistantId: "coach-assistant-e2e",
  webhookSecret: "e2e-webhook-secret",
};

/** The emulator's concurrency limit in the e2e stack; a spec that lowers it at runtime puts this back. */
export const E2E_CONCURRENCY_LIMIT = 100;

/** The environment the e2e stack runs the app with (scripts/e2e-stack.ts). */
export const e2eEnv = {
  APP_URL: appUrl,
  VAPI_API_URL: emulatorUrl,
  VAPI_ORG_ID: vapiKeys.orgId,
  VAPI_PUBLIC_KEY: vapiKeys.publicKey,
  VAPI_PRIVATE_KEY: vapiKeys.privateKey,
  VAPI_ASSISTANT_ID: vapiKeys.assistantId,
  VAPI_WEBHOOK_AUTH: "hmac",
  VAPI_WEBHOOK_SECRET: vapiKeys.webhookSecret,
  START_TOKEN_SECRET: "e2e-start-token-secret",
  NEXTAUTH_SECRET: "e2e-nextauth-secret",
  COACH_CREDITS_PER_MINUTE: "60",
  COACH_MIN_CREDITS_TO_START: "5",
  COACH_MAX_CALL_MINUTES: "10",
  COACH_WARN_BEFORE_CUTOFF_SECONDS: "8",
  COACH_SETTLE_GRACE_SECONDS: "3",
  VAPI_EMULATOR_POST_PROCESSING_MS: "300",
  METRICS_TOKEN: "e2e-metrics-token",
};
