import { describe, expect, it } from "vitest";
import { billingRule, creditsForSeconds, pricingFromEnv, type Pricing } from "./pricing";

const defaults = pricingFromEnv({});

describe("the billing rule as the coach page states it", () => {
  it("says exactly what creditsForSeconds does, with a worked example", () => {
    expect(billingRule(defaults)).toBe(
      "10 credits per minute, billed once per call when it ends: its length is rounded up to a whole second, " +
        "priced at 10/60 of a credit a second, and the total is rounded up to a whole credit (61.2 s → 62 s → 10.33 → 11 credits). " +
        "You need 5 credits to start; a call holds up to 300 credits (30 minutes) and gives back what it does not use.",
    );
    expect(creditsForSeconds(61.2, defaults)).toBe(11);
  });

  it("works its example with the prices configured", () => {
    const perSecond: Pricing = { creditsPerMinute: 60, minCreditsToStart: 5, maxCallMinutes: 10 };
    expect(billingRule(perSecond)).toContain(
      "priced at 1 credit a second, and the total is rounded up to a whole credit (61.2 s → 62 s → 62 credits)",
    );
    expect(billingRule(perSecond)).toContain("holds up to 600 credits (10 minutes)");
    const cheap: Pricing = { creditsPerMinute: 1, minCreditsToStart: 1, maxCallMinutes: 1 };
    expect(billingRule(cheap)).toContain("1 credit per minute, billed");
    expect(billingRule(cheap)).toContain(
      "priced at 1/60 of a credit a second, and the total is rounded up to a whole credit (61.2 s → 62 s → 1.03 → 2 credits)",
    );
    expect(billingRule(cheap)).toContain("You need 1 credit to start; a call holds up to 1 credit (1 minute)");
  });
});
