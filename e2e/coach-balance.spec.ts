import { test, expect } from "./support/fixtures";

// The e2e stack bills 60 credits per minute, and a call holds at most 10 minutes' worth: 600 credits.

test("the coach page states the billing rule; during a call it shows what is held and what remains, and focus follows the call", async ({
  page,
  makeUser,
  signIn,
}) => {
  await signIn(page, await makeUser({ credits: 1000 }));
  await expect(page.getByTestId("billing-rule")).toContainText(
    "60 credits per minute, billed once per call when it ends: its length is rounded up to a whole second, priced at 1 credit a second, " +
      "and the total is rounded up to a whole credit (61.2 s → 62 s → 62 credits).",
  );
  await expect(page.getByTestId("balance")).toHaveText("1000");

  await page.getByRole("button", { name: "Talk to coach" }).click();
  await expect(page.getByTestId("call-live")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("button", { name: "End call" })).toBeFocused();
  await expect(page.getByTestId("held-for-call")).toHaveText("600");
  await expect(page.getByTestId("balance")).toHaveText("400");
  await expect(page.getByTestId("held")).toContainText("600 held for the call in progress");

  await page.getByRole("button", { name: "End call" }).click();
  await expect(page.getByTestId("call-summary")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("heading", { name: "Call summary" })).toBeFocused();
  const charged = Number(await page.getByTestId("summary-charged").textContent());
  await expect(page.getByTestId("balance")).toHaveText(String(1000 - charged));
  await expect(page.getByTestId("held")).toHaveCount(0);
});
