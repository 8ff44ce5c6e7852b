import type { Locator, Page } from "@playwright/test";
import { dashboardPages } from "@/lib/dashboard/protected-endpoints";
import { expectNoSeriousViolations } from "./support/axe";
import { coachSays, numberedLines } from "./support/coach";
import { eventually } from "./support/emulator";
import { test, expect } from "./support/fixtures";

// The e2e stack bills 60 credits per minute and warns 8 s before the cutoff: 20 credits buy a
// 20 s call, warned at 12 s.

/** Every text `region` takes from now on, in order (a MutationObserver in the page). */
async function recordTexts(region: Locator): Promise<() => Promise<string[]>> {
  const key = `__texts_${Math.random().toString(36).slice(2)}`;
  await region.evaluate((el, key) => {
    const seen: string[] = [];
    (window as unknown as Record<string, string[]>)[key] = seen;
    new MutationObserver(() => {
      const text = el.textContent ?? "";
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(el, { childList: true, characterData: true, subtree: true });
  }, key);
  return () => region.page().evaluate((key) => (window as unknown as Record<string, string[]>)[key], key);
}

/** The live region's text and the transcript's last line, read at the same moment. */
function newestAndLastLine(page: Page) {
  return page.evaluate(() => ({
    announced: document.querySelector("[data-testid=newest-line]")?.textContent,
    last: document.querySelector("[data-testid=transcript] p:last-child")?.textContent,
  }));
}

test("the public pages have no serious accessibility violations", async ({ page }) => {
  for (const path of ["/", "/signin", "/signup"]) {
    await page.goto(path);
    await expectNoSeriousViolations(page, path);
  }
});

test("a call, heard and seen: announced from connecting to its end, focus on End call then on the summary, no serious violations idle, live or after", async ({
  page,
  db,
  makeUser,
  signIn,
}) => {
  const user = await makeUser({ credits: 20 });
  await signIn(page, user);
  await expectNoSeriousViolations(page, "/coach idle");
  const status = await recordTexts(page.getByTestId("call-status"));
  const newestLine = await recordTexts(page.getByTestId("newest-line"));

  await page.getByRole("button", { name: "Talk to coach" }).click();
  await expect(page.getByTestId("call-live")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("button", { name: "End call" })).toBeFocused();
  // Enough lines that the transcript scrolls: axe only judges a box that does.
  const transcript = page.getByRole("region", { name: "Transcript" });
  await coachSays(db, user.id, numberedLines(1, 8));
  await expect(transcript).toContainText("Line 8.", { timeout: 10_000 });
  expect(await transcript.evaluate((el) => el.scrollHeight - el.clientHeight)).toBeGreaterThan(100);
  await expectNoSeriousViolations(page, "/coach live");

  // The live region follows the transcript's newest line.
  await expect.poll(async () => (await newestLine()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  const { announced: newest, last } = await newestAndLastLine(page);
  expect(newest).toBe(last);

  await expect(page.getByTestId("call-summary")).toBeVisible({ timeout: 40_000 });
  await expect(page.getByRole("heading", { name: "Call summary" })).toBeFocused();
  await expect(page.getByTestId("call-status")).toHaveText(
    "Your call ended because your credits ran out. You were charged 20 credits; your balance is 0 credits.",
  );
  const announced = await status();
  const expected = [
    /^Connecting to your coach/,
    /^Connected/,
    /8 seconds left on this call/,
    /^Call ended\. Working out your bill/,
    /^Your call ended because your credits ran out/,
  ];
  const at = expected.map((pattern) => announced.findIndex((text) => pattern.test(text)));
  expect(
    at.every((i) => i >= 0),
    `each state announced: ${JSON.stringify(announced)}`,
  ).toBe(true);
  expect(at, `in this order: ${JSON.stringify(announced)}`).toEqual([...at].sort((a, b) => a - b));
  // Each line was announced alone, once: never the transcript again whole.
  const lines = await page.getByRole("region", { name: "Transcript" }).locator("p").allTextContents();
  const heard = await newestLine();
  expect(
    heard.every((text) => lines.includes(text)),
    `heard: ${JSON.stringify(heard)}`,
  ).toBe(true);
  expect(heard.length).toBeGreaterThanOrEqual(8);
  await expectNoSeriousViolations(page, "/coach after the call");
});

test("a plain user's pages: the coach page with no credits (the request form) and the dashboard's refusal have no serious violations", async ({
  page,
  makeUser,
  signIn,
}) => {
  await signIn(page, await makeUser());
  await expect(page.getByRole("form", { name: "Request credits" })).toBeVisible();
  await expectNoSeriousViolations(page, "/coach without credits");
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expectNoSeriousViolations(page, "/dashboard refused to a plain user");
});

test("every dashboard page has no serious accessibility violations", async ({
  browser,
  page,
  db,
  makeUser,
  signIn,
}) => {
  test.setTimeout(180_000); // a call, then axe over a dozen pages on two cores
  const caller = await makeUser({ credits: 100 });
  await db.creditRequest.create({ data: { userId: (await makeUser()).id, credits: 50, note: "For an interview" } });
  const callerContext = await browser.newContext();
  const callerPage = await callerContext.newPage();
  await signIn(callerPage, caller);
  await callerPage.getByRole("button", { name: "Talk to coach" }).click();
  await expect(callerPage.getByTestId("call-live")).toBeVisible({ timeout: 20_000 });

  await signIn(page, await makeUser({ role: "OPERATOR" }));
  await page.goto("/dashboard/live");
  await expect(page.getByRole("row").filter({ hasText: caller.email })).toBeVisible();
  await expectNoSeriousViolations(page, "/dashboard/live with a live call");

  await callerPage.getByRole("button", { name: "End call" }).click();
  await expect(callerPage.getByTestId("call-summary")).toBeVisible({ timeout: 15_000 });
  await callerContext.close();
  const call = await db.call.findFirstOrThrow({ where: { userId: caller.id } });
  const event = await eventually(
    async () =>
      (await db.webhookEvent.findFirst({ where: { vapiCallId: call.vapiCallId, type: "end-of-call-report" } })) ??
      undefined,
  );

  // The same list the access tests check against the pages on disk: a new page is audited too.
  for (const pattern of dashboardPages) {
    const path = pattern
      .replace("/users/[id]", `/users/${caller.id}`)
      .replace("/calls/[id]", `/calls/${call.vapiCallId}`);
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoSeriousViolations(page, path);
  }
  // Payloads open, in boxes that scroll (axe only judges a box that does).
  const scrolls = (box: Locator) => box.evaluate((el) => el.scrollHeight > el.clientHeight + 100);
  await page.goto(`/dashboard/webhooks?event=${event.id}`);
  expect(await scrolls(page.getByRole("region", { name: "Payload (masked)" }))).toBe(true);
  await expectNoSeriousViolations(page, "/dashboard/webhooks with a payload open");

  await page.goto(`/dashboard/calls/${call.vapiCallId}`);
  await page.getByText("Payload", { exact: true }).first().click();
  expect(await scrolls(page.getByRole("region", { name: "Payload" }).first())).toBe(true);
  await expectNoSeriousViolations(page, "/dashboard/calls/[id] with a payload open");
});
