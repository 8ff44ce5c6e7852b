import { test, expect } from "./support/fixtures";

test("a newcomer signs up, starts with the welcome credits and can call", async ({ page }) => {
  const email = `new-${Date.now()}@coach.test`;
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a-long-password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/coach/);
  await expect(page.getByTestId("balance")).toHaveText("20");
  await expect(page.getByRole("button", { name: "Talk to coach" })).toBeEnabled();
});

test("a user signs in and sees their balance", async ({ page, makeUser, signIn }) => {
  const user = await makeUser({ credits: 42 });
  await signIn(page, user);
  await expect(page.getByTestId("balance")).toHaveText("42");
});

test("a wrong password is refused with a clear message", async ({ page, makeUser }) => {
  const user = await makeUser();
  await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});

test("a plain user is refused the dashboard", async ({ page, makeUser, signIn }) => {
  const user = await makeUser();
  await signIn(page, user);
  const response = await page.goto("/dashboard");
  expect(response?.status()).toBe(403);
  // The app's own 403 page, in its layout with the navigation, not a bare line of text.
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(page.getByText("This part of Coach Call is for operators only.")).toBeVisible();
  await expect(page.getByRole("banner").getByRole("link", { name: "Coach", exact: true })).toBeVisible();
});

test("a signed-out visitor is sent to sign in", async ({ page }) => {
  await page.goto("/coach");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fcoach/);
});
