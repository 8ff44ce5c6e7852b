import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

/** Runs axe over the page as it is now; fails on any serious or critical violation, naming each rule and element. */
export function expectNoSeriousViolations(page: Page, what: string) {
  return test.step(`axe on ${what}`, async () => {
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    expect(serious, `axe on ${what}`).toEqual([]);
  });
}
