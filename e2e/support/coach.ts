import { expect, type Page } from "@playwright/test";
import type { Db } from "@/lib/db/client";
import { sayOnCall } from "@/lib/vapi/control";
import { eventually } from "./emulator";

/** "Line 1." … "Line n.": short, so the emulator speaks them back to back in about half a second each. */
export const numberedLines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `Line ${from + i}.`);

/** The coach says each line on the user's live call, through its control URL, as the app's enforcer makes it speak. */
export async function coachSays(db: Db, userId: string, lines: string[]) {
  const { controlUrl } = await eventually(
    async () =>
      (await db.call.findFirst({ where: { userId, controlUrl: { not: null } }, orderBy: { createdAt: "desc" } })) ??
      undefined,
  );
  for (const line of lines) expect((await sayOnCall(controlUrl!, line, { endCallAfterSpoken: false })).ok).toBe(true);
}

/** The signed-in user opens the coach page and starts a call: returns once it is live. */
export async function talk(page: Page) {
  await page.goto("/coach");
  await page.getByRole("button", { name: "Talk to coach" }).click();
  await expect(page.getByTestId("call-live")).toBeVisible({ timeout: 20_000 });
}
