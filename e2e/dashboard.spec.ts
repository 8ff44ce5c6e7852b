import fs from "node:fs";
import { parseCsv } from "@/lib/dashboard/csv";
import { test, expect } from "./support/fixtures";

test("an operator grants credits with a reason and the user sees the new balance", async ({
  browser,
  page,
  db,
  makeUser,
  signIn,
}) => {
  const user = await makeUser({ credits: 10 });
  const userContext = await browser.newContext();
  const userPage = await userContext.newPage();
  await signIn(userPage, user);
  await expect(userPage.getByTestId("balance")).toHaveText("10");

  await signIn(page, await makeUser({ role: "OPERATOR" }));
  await page.goto(`/dashboard/users?q=${encodeURIComponent(user.email)}`);
  await page.getByRole("link", { name: user.email }).click();
  await expect(page.getByRole("heading", { name: user.email })).toBeVisible();

  await page.getByLabel("Credits", { exact: true }).fill("25");
  await page.getByLabel("Reason").fill("goodwill after an outage");
  // A double click submits once: the button is disabled while pending, and the server applies a key once.
  await page.getByRole("button", { name: "Apply" }).dblclick();
  await expect(page.getByRole("status")).toHaveText("Done. The balance is now 35 credits.");
  await expect(page.getByTestId("user-available")).toHaveText("35");
  expect(await db.ledgerEntry.count({ where: { userId: user.id, reason: "goodwill after an outage" } })).toBe(1);
  expect(await db.auditLog.count({ where: { targetUserId: user.id, action: "CREDITS_GRANT" } })).toBe(1);

  await userPage.reload();
  await expect(userPage.getByTestId("balance")).toHaveText("35");
  await userContext.close();
});

test("a deduction below zero is refused and changes nothing", async ({ page, makeUser, signIn }) => {
  const user = await makeUser({ credits: 10 });
  await signIn(page, await makeUser({ role: "OPERATOR" }));
  await page.goto(`/dashboard/users/${user.id}`);
  await page.getByLabel("Change").selectOption("deduct");
  await page.getByLabel("Credits", { exact: true }).fill("20");
  await page.getByLabel("Reason").fill("too much");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Not enough credits")).toBeVisible();
  await expect(page.getByTestId("user-available")).toHaveText("10");
});

test("the ledger CSV downloads and its sums per user match the balances", async ({ page, db, makeUser, signIn }) => {
  await makeUser({ credits: 7 });
  await signIn(page, await makeUser({ role: "OPERATOR" }));
  await page.goto("/dashboard");
  await page.getByLabel("From (UTC)").fill("2000-01-01");
  await page.getByLabel("To (UTC, included)").fill("2099-12-31");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download ledger CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("ledger-2000-01-01-to-2099-12-31.csv");

  const [header, ...rows] = parseCsv(fs.readFileSync(await download.path(), "utf8"));
  expect(header).toEqual([
    "id",
    "createdAt",
    "userId",
    "email",
    "kind",
    "availableDelta",
    "heldDelta",
    "reservationId",
    "actor",
    "reason",
  ]);
  const sums = new Map<string, { available: number; held: number }>();
  for (const r of rows) {
    const s = sums.get(r[2]) ?? { available: 0, held: 0 };
    sums.set(r[2], { available: s.available + Number(r[5]), held: s.held + Number(r[6]) });
  }
  const accounts = await db.user.findMany({ select: { id: true, available: true, held: true } });
  for (const a of accounts) {
    expect(sums.get(a.id) ?? { available: 0, held: 0 }, a.id).toEqual({ available: a.available, held: a.held });
  }
  expect(rows.length).toBe(await db.ledgerEntry.count());
});
