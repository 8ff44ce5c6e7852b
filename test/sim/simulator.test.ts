import { afterAll, beforeAll, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { formatResult, openSimEnv, simulate } from "./simulation";
import type { SimEnv } from "./world";

// The CI budget of the simulator (VOPR-style; see test/sim/): a fixed number of runs with a fresh
// seed each time. A failure prints the seed and path that replay it with `npm run sim`.
// SIM_SEED pins the seed.

const RUNS = 300;

let env: SimEnv & { close: () => Promise<void> };
beforeAll(async () => {
  env = await openSimEnv((await freshDb()).url);
});
afterAll(() => env?.close());

it(`keeps the ledger's promises through ${RUNS} simulated runs of faults`, async () => {
  const seed = process.env.SIM_SEED ? Number(process.env.SIM_SEED) : undefined;
  const result = await simulate(env, { runs: RUNS, seed, shrinkSeconds: 30 });
  if (!result.ok) expect.fail(formatResult(result, (args) => `npm run sim -- ${args}`));
}, 175_000);

/** Failures the simulator found, replayed exactly, so each stays fixed whatever seed the budget draws. */
const FOUND = [
  {
    what: "a tamper check whose suspension failed to commit still marked the call checked, and nobody was suspended",
    seed: 1932784172,
    path: "110:0:0:0:0:4:6:9:10:11:11:11:11:11:11:11",
    replayPath: "DAEAYA+:VB",
  },
];

it.each(FOUND)(
  "replays the run where $what",
  async ({ seed, path, replayPath }) => {
    const result = await simulate(env, { runs: 1, seed, path, replayPath, shrinkSeconds: 0 });
    if (!result.ok) expect.fail(formatResult(result, (args) => `npm run sim -- ${args}`));
  },
  60_000,
);
