import { z } from "zod";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const PricingEnv = z.object({
  COACH_CREDITS_PER_MINUTE: positiveInt(10),
  COACH_MIN_CREDITS_TO_START: positiveInt(5),
  COACH_MAX_CALL_MINUTES: positiveInt(30),
});

export type Pricing = { creditsPerMinute: number; minCreditsToStart: number; maxCallMinutes: number };

let cached: Pricing | undefined;

/** The pricing rule, read once from the server's environment (or from `env` when one is given). */
export function pricingFromEnv(env: Record<string, string | undefined> = process.env): Pricing {
  if (cached && env === process.env) return cached;
  const parsed = PricingEnv.parse(env);
  const pricing = {
    creditsPerMinute: parsed.COACH_CREDITS_PER_MINUTE,
    minCreditsToStart: parsed.COACH_MIN_CREDITS_TO_START,
    maxCallMinutes: parsed.COACH_MAX_CALL_MINUTES,
  };
  if (env === process.env) cached = pricing;
  return pricing;
}

/** Billed per started second, rounded up once per call: 61.2 s at 10/min → 62 s → ceil(10.33) = 11. */
export function creditsForSeconds(seconds: number, pricing: Pricing): number {
  const startedSeconds = Math.ceil(Math.max(0, seconds));
  return Math.ceil((startedSeconds * pricing.creditsPerMinute) / 60);
}

/** The longest call `credits` pay for: the largest s with creditsForSeconds(s) <= credits, capped per call. */
export function secondsForCredits(credits: number, pricing: Pricing): number {
  const paid = Math.floor((credits * 60) / pricing.creditsPerMinute);
  return Math.min(paid, pricing.maxCallMinutes * 60);
}

/** What one call may hold: the whole balance, up to the per-call cap. */
export function maxCreditsPerCall(pricing: Pricing): number {
  return pricing.creditsPerMinute * pricing.maxCallMinutes;
}

const credits = (n: number) => `${n} credit${n === 1 ? "" : "s"}`;

/** The rule creditsForSeconds applies, in words, with an example worked by it: what the coach page says. */
export function billingRule(pricing: Pricing): string {
  const { creditsPerMinute: perMinute } = pricing;
  const example = 61.2;
  const started = Math.ceil(example);
  const exact = (started * perMinute) / 60;
  const perSecond = perMinute % 60 === 0 ? credits(perMinute / 60) : `${perMinute}/60 of a credit`;
  const steps = [
    `${example} s`,
    `${started} s`,
    ...(Number.isInteger(exact) ? [] : [exact.toFixed(2)]),
    credits(creditsForSeconds(example, pricing)),
  ];
  return (
    `${credits(perMinute)} per minute, billed once per call when it ends: its length is rounded up to a whole second, ` +
    `priced at ${perSecond} a second, and the total is rounded up to a whole credit (${steps.join(" → ")}). ` +
    `You need ${credits(pricing.minCreditsToStart)} to start; a call holds up to ${credits(maxCreditsPerCall(pricing))} ` +
    `(${pricing.maxCallMinutes} minute${pricing.maxCallMinutes === 1 ? "" : "s"}) and gives back what it does not use.`
  );
}
