import fc from "fast-check";
import {
  BrowserGivesUp,
  BrowserStartsCall,
  ControlUrlMisbehaves,
  DatabaseFails,
  DeliverMessage,
  DropMessage,
  OperatorAdjusts,
  OperatorSuspends,
  PassTime,
  Race,
  ReserveCall,
  Restart,
  RogueStartsCall,
  RunBackground,
  VapiApiOutage,
  type Pick,
  type Racer,
} from "./commands";
import type { ControlMisbehaviour } from "./control-url";
import { dbFault } from "./faults";
import type { ReportPlan, Tamper } from "./vapi";
import { BACKGROUND, type Model, type World } from "./world";

// Weights: deliveries and time dominate, as in a real day; every fault stays common enough to meet in 300 runs.
const user = fc.nat({ max: 2 });
const pick: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 3, arbitrary: fc.constant("oldest" as const) },
  fc.constant("newest" as const),
  fc.nat({ max: 9 }),
);
const talkSeconds = fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 30, max: 400 }));
const tamper = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Tamper>("none") },
  fc.constantFrom<Tamper>("model", "silenced", "no-control", "longer"),
);
const report = fc.oneof(
  { weight: 8, arbitrary: fc.constant<ReportPlan>("once") },
  fc.constantFrom<ReportPlan>("twice", "never"),
);
const background = fc.constantFrom(...BACKGROUND);
const racer: fc.Arbitrary<Racer> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("deliver" as const), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("background" as const), what: background }) },
  fc.record({ kind: fc.constantFrom("suspend" as const, "reserve" as const, "adjust" as const), user }),
  fc.record({ kind: fc.constant("give-up" as const), token: fc.nat({ max: 9 }) }),
);

const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => Array<fc.Arbitrary<T>>(weight).fill(arbitrary);

/** Every step, weighted by repetition (fc.commands picks among its arbitraries uniformly). */
export const steps: fc.Arbitrary<fc.AsyncCommand<Model, World>>[] = [
  ...weighted(
    4,
    fc
      .tuple(user, fc.oneof({ weight: 4, arbitrary: fc.constant<1 | 2>(1) }, fc.constant<1 | 2>(2)))
      .map(([u, tabs]) => new ReserveCall(u, tabs)),
  ),
  ...weighted(
    5,
    fc.tuple(fc.nat({ max: 9 }), tamper, talkSeconds, report).map(([t, x, s, r]) => new BrowserStartsCall(t, x, s, r)),
  ),
  fc
    .tuple(fc.constantFrom("forged" as const, "missing" as const), user, talkSeconds)
    .map(([k, u, s]) => new RogueStartsCall(k, u, s)),
  ...weighted(
    8,
    fc
      .tuple(
        pick,
        fc.oneof(
          { weight: 6, arbitrary: fc.constant("once" as const) },
          fc.constantFrom("and-again-later" as const, "twice-at-once" as const),
        ),
      )
      .map(([p, h]) => new DeliverMessage(p, h)),
  ),
  pick.map((p) => new DropMessage(p)),
  ...weighted(
    3,
    fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 10, max: 150 })).map((s) => new PassTime(s)),
  ),
  ...weighted(
    3,
    fc.oneof({ weight: 2, arbitrary: fc.constant("all" as const) }, background).map((k) => new RunBackground(k)),
  ),
  ...weighted(
    3,
    fc.tuple(racer, racer).map(([a, b]) => new Race(a, b)),
  ),
  fc
    .tuple(user, fc.constantFrom("grant" as const, "deduct" as const), fc.integer({ min: 1, max: 40 }))
    .map(([u, d, c]) => new OperatorAdjusts(u, d, c)),
  fc.tuple(user, fc.boolean()).map(([u, lift]) => new OperatorSuspends(u, lift)),
  fc.nat({ max: 9 }).map((t) => new BrowserGivesUp(t)),
  ...weighted(
    4,
    dbFault.map((f) => new DatabaseFails(f)),
  ),
  fc
    .tuple(fc.nat({ max: 9 }), fc.constantFrom<ControlMisbehaviour>("fail", "hang"), fc.integer({ min: 1, max: 3 }))
    .map(([c, h, n]) => new ControlUrlMisbehaves(c, h, n)),
  fc.integer({ min: 1, max: 4 }).map((n) => new VapiApiOutage(n)),
  fc.constant(new Restart()),
];
