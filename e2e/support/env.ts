// The fixed stack Playwright's webServer starts (scripts/e2e-stack.ts): the app on APP_PORT, the
// Vapi emulator on EMULATOR_PORT, both pointed at each other with these keys.
export const APP_PORT = 3100;
export const EMULATOR_PORT = 4110;
export const appUrl = `http://localhost:${APP_PORT}`;
export const emulatorUrl = `http://localhost:${EMULATOR_PORT}`;
export const vapiKeys = {
  orgId: "org-e2e",
  publicKey: "e2e-public-key",
  privateKey: "e2e-private-key",
  assistantId: "coach-assistant-e2e",
  webhookSecret: "e2e-webhook-secret",
};
