import { test, expect } from "./support/fixtures";
import { talk } from "./support/coach";
import { emulator } from "./support/emulator";
import { E2E_CONCURRENCY_LIMIT } from "./support/env";
import { LINES_BUSY } from "@/lib/calls/refused-start";

test("when all of Vapi's lines are busy, the page says so plainly, the credits are back at once, and the dashboard counts the refused start", async ({
  page,
  browser,
  db,
  makeUser,
  signIn,
}) => {
  const user = await makeUser({ credits: 100 });
  await signIn(page, user);
  await page.goto("/coach");

  // Every line taken: Vapi creates the call and refuses it at once (vapi-emulator/README.md).
  await emulator.setConcurrencyLimit(0);
  try {
    await page.getByRole("button", { name: "Talk to coach" }).click();
    await expect(page.getByTestId("call-error")).toHaveText(
      "All lines are busy — try again in a minute. No credits were used.",
    );
  } finally {
    await emulator.setConcurrencyLimit(E2E_CONCURRENCY_LIMIT);
  }

  // At once: released with the reason (an expiry would take the start token's 2 minutes), nothing charged, no alert.
  const reservation = await db.reservation.findFirstOrThrow({ where: { userId: user.id } });
  expect(reservation).toMatchObject({ status: "RELEASED", capturedCredits: 0, releasedCredits: 100 });
  expect(
    await db.ledgerEntry.findFirst({
      where: { reservationId: reservation.id, kind: "RELEASE" },
      select: { reason: true },
    }),
  ).toEqual({ reason: "all lines were busy (Vapi's concurrency limit)" });
  expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ available: 100, held: 0 });
  const refused = await db.call.findFirstOrThrow({ where: { userId: user.id } });
  expect(refused).toMatchObject({ endedReason: LINES_BUSY, creditsCharged: 0, status: "SETTLED" });
  expect(await db.alert.count({ where: { vapiCallId: refused.vapiCallId } })).toBe(0);
  await expect(page.getByTestId("balance")).toHaveText("100");
  await expect(page.getByTestId("held")).toHaveCount(0);

  // The page as the server now renders it: nothing held, and the next try goes through once a line is free.
  await page.reload();
  await expect(page.getByTestId("balance")).toHaveText("100");
  await expect(page.getByTestId("held")).toHaveCount(0);
  await talk(page);
  await page.getByRole("button", { name: "End call" }).click();
  await expect(page.getByTestId("call-summary")).toBeVisible({ timeout: 15_000 });

  // The operator sees the refused start on the overview, and it leads to the calls refused for busy lines.
  const operatorContext = await browser.newContext();
  try {
    const operatorPage = await operatorContext.newPage();
    await signIn(operatorPage, await makeUser({ role: "OPERATOR" }));
    await operatorPage.goto("/dashboard");
    const count = operatorPage.getByTestId("lines-busy");
    expect(Number(await count.textContent())).toBeGreaterThanOrEqual(1);
    await count.getByRole("link").click();
    await expect(operatorPage).toHaveURL(/\/dashboard\/calls\?endedBy=reason%3Acall\.start\.error/);
    const row = operatorPage.getByRole("row").filter({ hasText: user.email });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("refused: all lines busy (Vapi's concurrency limit)");
  } finally {
    await operatorContext.close();
  }
});
