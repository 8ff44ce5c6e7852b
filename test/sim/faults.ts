import fc from "fast-check";
import type { DbFault } from "./faulty-db";

/** What stays the same for a whole run: how this deployment and this Vapi behave. */
export type RunPlan = {
  /** VAPI_PRIVATE_KEY is set: the reconciler and the tamper check run. */
  reconciler: boolean;
  /** Vapi's backoffPlan.maxRetries for a delivery answered 5xx (or not at all). */
  vapiRetries: number;
  /** Vapi's clock minus ours, in seconds: within the webhook's 300 s tolerance, or beyond it. */
  skewSeconds: number;
  /** GET /call page size the reconciler asks for: 2 makes it page. */
  pageSize: number;
  /** Each user's balance before the run. */
  credits: number[];
};

const credits = fc.array(
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 5, max: 60 }) }, fc.integer({ min: 0, max: 4 })),
  { minLength: 2, maxLength: 3 },
);
const skew = (outsideTolerance: boolean) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: -299, max: 299 }) },
    ...(outsideTolerance
      ? [{ weight: 1, arbitrary: fc.oneof(fc.integer({ min: -900, max: -301 }), fc.integer({ min: 301, max: 900 })) }]
      : []),
  );

/**
 * Without the reconciler only webhooks tell us about calls, so for the run to be winnable Vapi must
 * retry failed deliveries, sign within tolerance, and never drop or silence messages (see commands).
 */
export const runPlan: fc.Arbitrary<RunPlan> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      reconciler: fc.constant(true),
      vapiRetries: fc.integer({ min: 0, max: 3 }),
      skewSeconds: skew(true),
      pageSize: fc.constantFrom(2, 1000),
      credits,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      reconciler: fc.constant(false),
      vapiRetries: fc.constant(1_000),
      skewSeconds: skew(false),
      pageSize: fc.constant(1000),
      credits,
    }),
  },
);

/** Where lib/ meets the database, as faulty-db.ts names the calls: first those every message and tick makes. */
const BUSY_SITES = [
  "$transaction",
  "$queryRaw",
  "pool.query",
  "call.findUnique",
  "call.updateMany",
  "call.create",
  "reservation.updateMany",
  "webhookEvent.updateMany",
] as const;
const OTHER_SITES = [
  "call.findUniqueOrThrow",
  "call.findMany",
  "call.update",
  "reservation.findUnique",
  "reservation.findFirst",
  "reservation.findMany",
  "reservation.findUniqueOrThrow",
  "reservation.create",
  "reservation.update",
  "reservation.count",
  "ledgerEntry.create",
  "user.findUnique",
  "user.updateMany",
  "alert.create",
  "alert.updateMany",
  "auditLog.create",
  "reconcilerCursor.findUnique",
  "reconcilerCursor.upsert",
] as const;

export const dbFault: fc.Arbitrary<DbFault> = fc.record({
  site: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...BUSY_SITES) }, fc.constantFrom(...OTHER_SITES)),
  when: fc.constantFrom("before" as const, "after" as const),
  skip: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 3 })),
});

/** How many faults of each kind were injected (and other things worth counting). */
export class FaultLog {
  readonly counts = new Map<string, number>();

  add(kind: string, n = 1) {
    if (n) this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  merge(other: FaultLog) {
    for (const [kind, n] of other.counts) this.add(kind, n);
  }

  lines(): string[] {
    return [...this.counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, n]) => `${String(n).padStart(7)}  ${kind}`);
  }
}
