import { test, expect } from "./support/fixtures";
import { eventually } from "./support/emulator";
import { talk } from "./support/coach";

// The operator's pages say what happened in the domain's words: who ended a call, who moved
// credits, when to the second; not column names, raw ids or Vapi's codes.

test("a call an operator ended reads 'an operator', can be found by it, and its ledger names people and the system", async ({
  browser,
  page,
  db,
  makeUser,
  signIn,
}) => {
  const user = await makeUser({ credits: 100 });
  await signIn(page, user);
  await talk(page);
  const call = await eventually(async () => (await db.call.findFirst({ where: { userId: user.id } })) ?? undefined);

  const operatorContext = await browser.newContext();
  const operatorPage = await operatorContext.newPage();
  const operator = await makeUser({ role: "OPERATOR" });
  await signIn(operatorPage, operator);
  await operatorPage.goto("/dashboard/live");
  const live = operatorPage.getByRole("row").filter({ hasText: user.email });
  await live.getByRole("button", { name: "End call" }).click();
  await live.getByRole("button", { name: /confirm|yes/i }).click();
  await expect(page.getByTestId("ended-by")).toHaveText("An operator ended your call.", { timeout: 10_000 });
  await eventually(
    async () => (await db.call.findFirst({ where: { id: call.id, settledAt: { not: null } } })) ?? undefined,
  );

  await operatorPage.goto(`/dashboard/calls?email=${encodeURIComponent(user.email)}`);
  const row = operatorPage.getByRole("row").filter({ hasText: user.email });
  await expect(row).toHaveCount(1);
  const endedBy = row.getByRole("cell").nth(6);
  await expect(endedBy).toHaveText("an operator");
  await expect(endedBy.locator("span")).toHaveAttribute("title", /^Vapi: assistant-ended-call/);
  await expect(row.getByRole("cell").nth(2)).toHaveText("billed ended by an operator");
  const started = row.locator("time");
  await expect(started).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
  await expect(started).toHaveAttribute("title", /ago|just now/);

  // The filter offers the endings seen, in words, and finds the call by who ended it.
  const filter = operatorPage.getByLabel("Ended because");
  await expect(filter.locator("option", { hasText: "an operator" })).toHaveCount(1);
  await operatorPage.goto("/dashboard/calls");
  await filter.selectOption({ label: "an operator" });
  await operatorPage.getByRole("button", { name: "Filter" }).click();
  await expect(operatorPage).toHaveURL(/endedBy=operator/);
  await expect(operatorPage.getByRole("row").filter({ hasText: user.email })).toHaveCount(1);
  for (const text of await operatorPage.locator("tbody tr td:nth-child(7)").allTextContents())
    expect(text).toBe("an operator");

  // The ledger's actors: the caller's own hold by email, the bill by the system that made it.
  await operatorPage.goto(`/dashboard/users/${user.id}`);
  const ledger = operatorPage.locator("section", { has: operatorPage.getByRole("heading", { name: "Ledger" }) });
  const actors = await ledger.locator("tbody tr td:nth-child(5)").allTextContents();
  expect(actors).toContain(user.email);
  expect(actors).toContain("system: Vapi's end-of-call report");
  expect(actors.join(" ")).not.toContain(user.id);
  await expect(ledger.getByText("hold", { exact: true })).toBeVisible();

  // The audit log names the operator by email, and the action in words.
  await operatorPage.goto("/dashboard/audit");
  const audit = operatorPage.getByRole("row").filter({ hasText: "ended a call" }).filter({ hasText: operator.email });
  await expect(audit.first()).toBeVisible();
  await operatorContext.close();
});

test("the leakage figure explains itself without column names", async ({ page, makeUser, signIn }) => {
  await signIn(page, await makeUser({ role: "OPERATOR" }));
  await page.goto("/dashboard");
  const leakage = page.locator(".card", { has: page.getByTestId("leakage") });
  await expect(leakage).toContainText("how long unauthorized and tampered-with calls ran, as Vapi reported it");
  await expect(leakage).not.toContainText("usedSeconds");
  await expect(leakage).not.toContainText("tamper,");
});
