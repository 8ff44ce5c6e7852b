import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { createDb, type Db } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/passwords";
import { grant } from "@/lib/credits/ledger";
import { STACK_FILE } from "./stack-file";

export type TestUser = { id: string; email: string; password: string };

export type Fixtures = {
  db: Db;
  makeUser: (o?: { credits?: number; role?: "USER" | "OPERATOR" }) => Promise<TestUser>;
  signIn: (page: Page, user: TestUser) => Promise<void>;
};

/** Content-Security-Policy violations in any page of the test; the test fails unless there are none. */
type CspGuard = { cspViolations: string[] };

/** Reports every CSP violation in `context`'s pages (from the page's `securitypolicyviolation` events) to `seen`. */
async function watchCsp(context: BrowserContext, seen: string[]) {
  await context.exposeBinding(
    "__coachCspViolation",
    ({ page }, violation: string) => void seen.push(`${page.url()}: ${violation}`),
  );
  await context.addInitScript(() => {
    const page = window as unknown as { __coachCspViolation: (violation: string) => void };
    document.addEventListener(
      "securitypolicyviolation",
      (e) =>
        page.__coachCspViolation(
          `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`,
        ),
      true,
    );
  });
}

export const test = base.extend<Fixtures & CspGuard>({
  // Also the contexts a test opens itself (a second user, an operator): browser.newContext is
  // wrapped for the test's duration.
  cspViolations: [
    async ({ browser, context }, use) => {
      const seen: string[] = [];
      await watchCsp(context, seen);
      const newContext = browser.newContext;
      browser.newContext = async (...args) => {
        const opened = await newContext.apply(browser, args);
        await watchCsp(opened, seen);
        return opened;
      };
      await use(seen);
      browser.newContext = newContext;
      expect(seen, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
  db: async ({}, use) => {
    const { databaseUrl } = JSON.parse(fs.readFileSync(STACK_FILE, "utf8"));
    const db = createDb(databaseUrl);
    await use(db);
    await db.$disconnect();
  },
  makeUser: async ({ db }, use) => {
    await use(async ({ credits = 0, role = "USER" } = {}) => {
      const email = `e2e-${randomUUID().slice(0, 8)}@coach.test`;
      const password = "correct-horse-battery";
      const user = await db.user.create({ data: { email, role, passwordHash: await hashPassword(password) } });
      if (credits)
        await grant(db, {
          userId: user.id,
          credits,
          actor: "e2e",
          reason: "test setup",
          idempotencyKey: `e2e:${user.id}`,
        });
      return { id: user.id, email, password };
    });
  },
  signIn: async ({}, use) => {
    await use(async (page, user) => {
      await page.goto("/signin");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill(user.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/coach/);
    });
  },
});

export { expect };
