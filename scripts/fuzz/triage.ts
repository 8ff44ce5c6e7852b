// Failures sorted into classes: each one sent again alone (does it fail without neighbours?), and
// the classes that do shrunk by fast-check to a smaller case that fails the same way.
import fc from "fast-check";
import type { Case } from "./case";
import { fuzzCase } from "./cases";
import type { Problem } from "./oracle";
import { describeCase } from "./report";
import { runCase, type Harness } from "./runner";
import { primarySuspect, suspectsOf } from "./suspects";

export type Failure = { index: number; c: Case; problems: Problem[] };
export type FailureClass = { key: string; kind: string; suspect: string; members: Failure[]; alone: boolean };

export type TriageOptions = { seed: number; shrinkMs: number; deadline: number };

/** Confirming more than this many of one class alone tells nothing new. */
const CONFIRMATIONS_PER_CLASS = 3;

let salts = 0;
/** Each re-run renames the case's call ids, so it meets none of the rows an earlier run wrote. */
const nextSalt = () => `s${++salts}`;

/** Fails the same way: the same kind of problem, with the same suspect to blame. */
async function failsLike(c: Case, h: Harness, k: Pick<FailureClass, "kind" | "suspect">): Promise<boolean> {
  return (
    primarySuspect(suspectsOf(c)) === k.suspect &&
    (await runCase(c, h, nextSalt())).problems.some((p) => p.kind === k.kind)
  );
}

/**
 * Groups failures by kind and suspects, then tries up to three of each alone: a class none of
 * which fails alone failed only because of its neighbours (a hang, a restart, a batched write).
 */
export async function classify(failures: Failure[], h: Harness): Promise<FailureClass[]> {
  const byKey = new Map<string, FailureClass>();
  for (const f of failures) {
    const suspect = primarySuspect(suspectsOf(f.c));
    for (const kind of new Set(f.problems.map((p) => p.kind))) {
      const key = `${kind}, ${suspect}`;
      const k = byKey.get(key) ?? { key, kind, suspect, members: [], alone: false };
      k.members.push(f);
      byKey.set(key, k);
    }
  }
  for (const k of byKey.values()) {
    for (const [i, f] of k.members.slice(0, CONFIRMATIONS_PER_CLASS).entries()) {
      if (!(await failsLike(f.c, h, k))) continue;
      k.alone = true;
      // The one that fails alone goes first: it is the one printed and shrunk.
      k.members.unshift(...k.members.splice(i, 1));
      break;
    }
  }
  return [...byKey.values()].sort((a, b) => Number(b.alone) - Number(a.alone) || b.members.length - a.members.length);
}

const categoriesOf = (k: FailureClass) => [...new Set(k.members.map((m) => m.c.category))].sort().join(", ");

export async function triage(h: Harness, classes: FailureClass[], o: TriageOptions) {
  for (const k of classes.filter((c) => c.alone)) {
    const first = k.members[0];
    console.log(`\n=== ${k.key}: ${k.members.length} case(s) in ${categoriesOf(k)}`);
    if (!first) continue;
    console.log(`replay: npm run fuzz:webhooks -- --seed ${o.seed} --path ${first.index}`);
    if (performance.now() > o.deadline) continue;
    console.log(
      `case #${first.index}: ${first.problems.find((p) => p.kind === k.kind)?.detail}; suspects ${suspectsOf(first.c).join(", ") || "none"}\n${describeCase(first.c)}`,
    );
    // Rows written by an unauthenticated request are found by counting around a whole phase, not by one run.
    if (o.shrinkMs > 0 && k.kind !== "wrote rows") await shrink(h, String(first.index), k, o);
  }
  const among = classes.filter((c) => !c.alone);
  if (!among.length) return;
  // A neighbour's hang blocks the app's one thread; a message that throws while its write is batched fails the whole batch.
  console.log(
    `\n=== ${among.reduce((sum, k) => sum + k.members.length, 0)} failure(s) that did not happen again when sent alone (beside a hang, a restart, or batched with a failing message):`,
  );
  for (const k of among)
    console.log(`  ${k.members.length} × ${k.key} in ${categoriesOf(k)}, e.g. --path ${k.members[0].index}`);
}

export async function shrink(
  h: Harness,
  casePath: string,
  k: Pick<FailureClass, "kind" | "suspect">,
  o: Pick<TriageOptions, "seed" | "shrinkMs">,
) {
  const property = fc.asyncProperty(fuzzCase, async (c) => !(await failsLike(c, h, k)));
  const result = await fc.check(property, {
    seed: o.seed,
    path: casePath,
    numRuns: 1,
    interruptAfterTimeLimit: o.shrinkMs,
    markInterruptAsFailure: false,
  });
  const [smallest] = result.counterexample ?? [];
  if (!smallest) return console.log("(did not fail the same way again while shrinking)");
  const how = `path ${result.counterexamplePath}, ${result.numShrinks} shrinks${result.interrupted ? ", stopped at --shrink-seconds" : ""}`;
  console.log(
    `smallest failing case found (${how}), suspects: ${suspectsOf(smallest).join(", ") || "none"}:\n${describeCase(smallest)}`,
  );
}
