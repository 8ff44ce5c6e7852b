import fc from "fast-check";
import { appConfig } from "@/lib/config";
import type { Pricing } from "@/lib/credits/pricing";
import { createDb } from "@/lib/db/client";
import { steps } from "./command-arbitraries";
import { CONTROL_BEARER, ControlUrls } from "./control-url";
import { drain } from "./drain";
import { FaultLog, runPlan } from "./faults";
import { finalProblems } from "./invariants";
import { ASSISTANT_ID } from "./vapi";
import { InvariantViolation, World, type SimEnv } from "./world";

// The simulator as one fast-check property: a run plan, a scheduler and a sequence of steps make
// one run against the real lib/ and PostgreSQL; a failure shrinks and prints the seed and path
// that replay it (`npm run sim -- --seed S --path P`).

/** A three-minute cap per call keeps calls short in virtual time; the rest is the app's default. */
export const SIM_PRICING: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 3 };

const config = appConfig({
  VAPI_ASSISTANT_ID: ASSISTANT_ID,
  VAPI_PUBLIC_KEY: "sim-public-key",
  VAPI_WEBHOOK_SECRET: "sim-webhook-secret",
  VAPI_WEBHOOK_AUTH: "hmac",
  START_TOKEN_SECRET: "sim-start-token-secret",
});

/** The simulator's world outside lib/: a database it may wipe between runs, and the control URLs. */
export async function openSimEnv(databaseUrl: string): Promise<SimEnv & { close: () => Promise<void> }> {
  const url = new URL(databaseUrl);
  // Durability is not what is simulated: commits need not wait for the disk.
  url.searchParams.set("options", "-c synchronous_commit=off");
  const raw = createDb(url.toString());
  process.env.VAPI_CONTROL_BEARER = CONTROL_BEARER;
  const control = await ControlUrls.start();
  return {
    raw,
    control,
    config,
    pricing: SIM_PRICING,
    close: async () => (await control.close(), await raw.$disconnect()),
  };
}

export type SimulationOptions = {
  runs: number;
  seed?: number;
  path?: string;
  /** Which generated steps ran in the failing case (fc.commands needs it, with seed and path, to replay one). */
  replayPath?: string;
  maxCommands?: number;
  shrinkSeconds?: number;
  /** Called after each passing run, with how many have passed. */
  onRunPassed?: (runs: number) => void;
};

export type SimulationResult = {
  ok: boolean;
  runs: number;
  seed: number;
  path?: string;
  replayPath?: string;
  /** The failing run's steps, and what went wrong in it. */
  counterexample?: string;
  error?: string;
  seconds: number;
  /** How long until the first failing run was found (before shrinking). */
  firstFailureSeconds?: number;
  faults: FaultLog;
};

export async function simulate(env: SimEnv, o: SimulationOptions): Promise<SimulationResult> {
  const faults = new FaultLog();
  const shrinkMs = (o.shrinkSeconds ?? 60) * 1000;
  let failingSince: number | null = null;
  const property = fc.asyncProperty(
    runPlan,
    fc.scheduler(),
    fc.commands(steps, { maxCommands: o.maxCommands ?? 20, size: "max", replayPath: o.replayPath }),
    async (plan, scheduler, commands) => {
      // Every replay while shrinking runs against the real database: past the budget, keep the smallest case found.
      if (failingSince !== null && Date.now() - failingSince > shrinkMs) return;
      const w = await World.begin(env, plan, scheduler);
      try {
        await fc.asyncModelRun(() => ({ model: w.model(), real: w }), commands);
        await drain(w);
        const problems = await finalProblems(w);
        if (problems.length) throw new InvariantViolation(w.failure("after draining", problems));
        faults.add("runs");
        faults.merge(w.tally());
        o.onRunPassed?.(faults.counts.get("runs") ?? 0);
      } catch (error) {
        failingSince ??= Date.now();
        throw error;
      } finally {
        env.control.attach(null);
      }
    },
  );
  const started = performance.now();
  const startedAt = Date.now();
  const restore = quietConsole();
  try {
    const details = await fc.check(property, { numRuns: o.runs, seed: o.seed, path: o.path, timeout: 60_000 });
    const counterexample = details.counterexample ? fc.stringify(details.counterexample) : undefined;
    return {
      ok: !details.failed,
      runs: details.numRuns,
      seed: details.seed,
      path: details.counterexamplePath ?? undefined,
      counterexample,
      replayPath: /replayPath="([^"]*)"/.exec(counterexample ?? "")?.[1],
      error:
        details.errorInstance instanceof Error
          ? details.errorInstance.message
          : details.errorInstance
            ? String(details.errorInstance)
            : undefined,
      seconds: (performance.now() - started) / 1000,
      faults,
      firstFailureSeconds: failingSince === null ? undefined : (failingSince - startedAt) / 1000,
    };
  } finally {
    restore();
  }
}

/** lib/ logs every failure it recovers from; in a run of thousands of injected faults that is noise. */
function quietConsole() {
  const saved = { error: console.error, warn: console.warn, info: console.info };
  console.error = console.warn = console.info = () => {};
  return () => Object.assign(console, saved);
}

/** `npm run sim` arguments that replay a failure exactly. */
export const replayArgs = (r: SimulationResult) =>
  `--seed=${r.seed} --path=${r.path ?? ""} --replay-path=${r.replayPath ?? ""}`;

export function formatResult(r: SimulationResult, replay: (args: string) => string): string {
  const found =
    r.firstFailureSeconds === undefined
      ? ""
      : `, failure found after ${r.firstFailureSeconds.toFixed(1)} s, then shrunk`;
  const lines = [`${r.ok ? "passed" : "FAILED"}: ${r.runs} runs in ${r.seconds.toFixed(1)} s (seed ${r.seed}${found})`];
  if (!r.ok) {
    lines.push(
      `replay exactly: ${replay(replayArgs(r))}`,
      "",
      "counterexample (run plan, scheduler decisions, steps):",
      r.counterexample ?? "(none)",
      "",
      r.error ?? "",
      "",
    );
  }
  lines.push("faults injected and events, by kind (passing runs):", ...r.faults.lines());
  return lines.join("\n");
}
