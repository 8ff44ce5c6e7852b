import { expect, test } from "@playwright/test";
import { emulatorUrl, vapiKeys } from "./support/env";

// The real @vapi-ai/web SDK in chromium, its Daily transport aliased to vapi-emulator/browser/daily.ts.

async function emulatorAdmin(method: string, path: string) {
  const response = await fetch(`${emulatorUrl}/__emulator${path}`, {
    method,
    headers: { authorization: `Bearer ${vapiKeys.privateKey}` },
  });
  expect(response.status, `${method} ${path}`).toBe(200);
  return (await response.json()) as { call: { status: string; endedReason?: string } };
}

async function startCall(page: import("@playwright/test").Page): Promise<string> {
  await page.goto("/emulator-check");
  await page.getByTestId("start").click();
  await expect(page.getByTestId("call-start")).toHaveText("yes", { timeout: 20_000 });
  await expect(page.getByTestId("call-id")).not.toBeEmpty();
  return (await page.getByTestId("call-id").textContent())!;
}

test("the SDK starts a call, receives messages and audio levels, and sees the emulator end it", async ({ page }) => {
  const callId = await startCall(page);
  await expect(page.getByTestId("message-types")).toContainText("status-update:in-progress");
  await expect(page.getByTestId("message-type").first()).toBeVisible();
  await expect(page.getByTestId("volume-level")).toHaveText("yes", { timeout: 20_000 });

  await emulatorAdmin("POST", `/calls/${callId}/hangup`);
  await expect(page.getByTestId("call-end")).toHaveText("yes", { timeout: 10_000 });
  await expect(page.getByTestId("message-types")).toContainText("status-update:ended");
  expect((await emulatorAdmin("GET", `/calls/${callId}`)).call).toMatchObject({
    status: "ended",
    endedReason: "customer-ended-call",
  });
});

test("the page's stop button ends the call as a customer hang-up", async ({ page }) => {
  const callId = await startCall(page);
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("call-end")).toHaveText("yes", { timeout: 10_000 });
  await expect
    .poll(async () => (await emulatorAdmin("GET", `/calls/${callId}`)).call.endedReason, { timeout: 10_000 })
    .toBe("customer-ended-call");
});
