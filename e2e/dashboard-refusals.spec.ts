import { test, expect } from "./support/fixtures";

test("a plain user opening a dashboard page gets the app's 403 page, with its navigation", async ({
  page,
  makeUser,
  signIn,
}) => {
  await signIn(page, await makeUser());
  const response = await page.goto("/dashboard/users");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await page.getByRole("link", { name: "Go to your coach" }).click();
  await expect(page).toHaveURL(/\/coach$/);
});

test("a CSV range that ends before it starts is shown beside the field, not as JSON", async ({
  page,
  makeUser,
  signIn,
}) => {
  await signIn(page, await makeUser({ role: "OPERATOR" }));
  await page.goto("/dashboard");
  await page.getByLabel("From (UTC)").fill("2026-03-01");
  await page.getByLabel("To (UTC, included)").fill("2026-02-01");
  await page.getByRole("button", { name: "Download ledger CSV" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "The end date must not be before the start date." }),
  ).toBeVisible();
  await expect(page.getByLabel("To (UTC, included)")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/dashboard$/);
});
