import { test, expect } from "./support/fixtures";

test("a user with no credits asks for some, an operator approves, and the user can call", async ({
  browser,
  page,
  db,
  makeUser,
  signIn,
}) => {
  const user = await makeUser();
  await signIn(page, user);
  await expect(page.getByRole("button", { name: "Talk to coach" })).toBeDisabled();
  const form = page.getByRole("form", { name: "Request credits" });
  await form.getByLabel(/^Credits/).fill("120");
  await form.getByLabel("Note for the operator").fill("Practising for a job interview");
  await form.getByRole("button", { name: "Request credits" }).click();
  await expect(page.getByTestId("credit-request-status")).toContainText("You asked for 120 credits");
  await expect(page.getByRole("form", { name: "Request credits" })).toHaveCount(0);

  const operatorContext = await browser.newContext();
  const operatorPage = await operatorContext.newPage();
  await signIn(operatorPage, await makeUser({ role: "OPERATOR" }));
  await operatorPage.goto("/dashboard");
  await operatorPage
    .getByRole("navigation", { name: "Dashboard" })
    .getByRole("link", { name: "Credit requests" })
    .click();
  const request = operatorPage.getByRole("article", { name: `Request from ${user.email}` });
  await expect(request).toContainText("Practising for a job interview");
  await request.getByLabel("Credits to grant").fill("90");
  await request.getByLabel("Reason (the user sees it)").fill("Good luck with the interview");
  // A double click grants once: the button is disabled while pending, and the grant is keyed by the request.
  await request.getByRole("button", { name: "Approve" }).dblclick();
  await expect(request.getByRole("status")).toHaveText("Approved: 90 credits granted. The balance is now 90.");
  await operatorPage.reload();
  await expect(operatorPage.getByRole("article", { name: `Request from ${user.email}` })).toHaveCount(0);
  await expect(operatorPage.getByRole("row").filter({ hasText: user.email })).toContainText("approved: +90");
  expect(
    await db.ledgerEntry.count({ where: { userId: user.id, kind: "GRANT", reason: "Good luck with the interview" } }),
  ).toBe(1);
  await operatorContext.close();

  await page.reload();
  await expect(page.getByTestId("balance")).toHaveText("90");
  await expect(page.getByTestId("credit-request-status")).toContainText(
    "Your request was approved: 90 credits were added",
  );
  await expect(page.getByRole("button", { name: "Talk to coach" })).toBeEnabled();
});

test("an operator declines with a reason, the user reads it and may ask again", async ({
  browser,
  page,
  db,
  makeUser,
  signIn,
}) => {
  const user = await makeUser();
  await db.creditRequest.create({ data: { userId: user.id, credits: 5000, note: "lots please" } });
  await signIn(page, await makeUser({ role: "OPERATOR" }));
  await page.goto("/dashboard/requests");
  const request = page.getByRole("article", { name: `Request from ${user.email}` });
  await request.getByLabel("Reason (the user sees it)").fill("Start with a smaller amount");
  await request.getByRole("button", { name: "Decline" }).click();
  await expect(request.getByRole("status")).toHaveText("Declined. The user sees your reason.");
  expect(
    await db.auditLog.count({
      where: { targetUserId: user.id, action: "CREDIT_REQUEST_DECLINE", reason: "Start with a smaller amount" },
    }),
  ).toBe(1);

  const userContext = await browser.newContext();
  const userPage = await userContext.newPage();
  await signIn(userPage, user);
  await expect(userPage.getByTestId("credit-request-status")).toHaveText(
    "Your request for 5000 credits was declined: Start with a smaller amount",
  );
  await expect(userPage.getByRole("form", { name: "Request credits" })).toBeVisible();
  await userContext.close();
});

test("a person who signs in correctly again and again is never locked out", async ({ page, makeUser, signIn }) => {
  const user = await makeUser();
  for (let i = 0; i < 7; i++) {
    await page.context().clearCookies();
    await signIn(page, user);
  }
});
