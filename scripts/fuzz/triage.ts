// Failures sorted into classes: each one sent again alone (does it fail without neighbours?), and
// the classes that do shrunk by fast-check to a smaller case that fails the same way.
import fc from "fast-check";
import type { Case } from "./case";
import { fuzzCase } from "./cases";
import type { Problem } from "./oracle";
import { describeCase } from "./report";
import { runCase, type Harness } from "./runner";
import { primarySuspect, suspectsOf } from "./suspects";
import { sendAfter, type WireRequest } from "./wire";

export type Failure = { index: number; c: Case; problems: Problem[] };
export type FailureClass = {
  key: string;
  kind: string;
  suspect: string;
  members: Failure[];
  /** It failed again when its case was sent alone. */
  alone: boolean;
  /** A hang that came again when its request was sent right after the one before it, on one connection. */
  afterPrevious?: Problem["pair"];
};

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
 * which fails alone failed only because of its neighbours (a hang, a restart, a batched write),
 * unless it is a hang on a reused connection that comes again right after the request before it.
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
    if (!k.alone) k.afterPrevious = await hangsAfterPrevious(k, h);
  }
  return [...byKey.values()].sort((a, b) => Number(b.alone) - Number(a.alone) || b.members.length - a.members.length);
}

/** Up to three of the class's hangs, each sent again right after the request that came before it. */
async function hangsAfterPrevious(k: FailureClass, h: Harness): Promise<Problem["pair"]> {
  const pairs = k.members.flatMap((m) => m.problems.filter((p) => p.kind === k.kind && p.pair).map((p) => p.pair!));
  for (const pair of pairs.slice(0, CONFIRMATIONS_PER_CLASS)) {
    await h.ready();
    const o = await sendAfter(pair.previous, pair.request);
    if (o.status !== "hang") continue;
    await h.recover();
    // Only a hang on the connection the first request left open says the first is to blame.
    if (o.after) return pair;
  }
  return undefined;
}

const describeWire = (r: WireRequest) =>
  `${r.chunked ? "chunked" : "sized"} body of ${r.bytes.length} bytes, headers ${JSON.stringify(r.headers).slice(0, 300)}, starting ${JSON.stringify(r.bytes.subarray(0, 120).toString("utf8"))}`;

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
  for (const k of classes.filter((c) => c.afterPrevious)) {
    console.log(`\n=== ${k.key}: ${k.members.length} case(s) in ${categoriesOf(k)}`);
    console.log(
      `hangs again when sent right after the request before it, on one connection. That request: ${describeWire(k.afterPrevious!.previous)}`,
    );
  }
  const among = classes.filter((c) => !c.alone && !c.afterPrevious);
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
