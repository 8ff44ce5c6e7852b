import { defineConfig } from "@playwright/test";
import { appUrl } from "./e2e/support/env";

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: appUrl,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
      ],
    },
  },
  projects: [
    { name: "app", testIgnore: /[\\/]cluster[\\/]/ },
    // Issue 12: several instances on one database. Starts its own stack (e2e/support/cluster.ts).
    { name: "cluster", testDir: "e2e/cluster" },
  ],
  webServer: {
    command: "npx tsx scripts/e2e-stack.ts",
    url: `${appUrl}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    // The stack stops Next, the emulator and PostgreSQL on SIGTERM; the default SIGKILL would orphan them.
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    stdout: "pipe",
    stderr: "pipe",
  },
});
