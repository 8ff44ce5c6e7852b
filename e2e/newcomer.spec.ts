import { test, expect } from "./support/fixtures";

// What a newcomer's browser asks of every page, beyond the page itself.

test("the app has an icon: pages link it and /favicon.ico answers with it", async ({ page, request }) => {
  await page.goto("/");
  await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute("href", /favicon\.ico/);
  const icon = await request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toBe("image/x-icon");
  expect((await icon.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0])); // the ICO header
});
