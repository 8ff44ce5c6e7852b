import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";

// The database as a server process sees it. Every call lib/ makes passes through here, which lets
// the simulator (1) throw at a chosen call, before it reaches PostgreSQL or after it committed,
// (2) hold each call until fc.scheduler lets it go, so concurrent actions interleave at every
// database round trip, and (3) watch settlements commit.

export type DbFault = { site: string; when: "before" | "after"; skip: number };

export class InjectedFault extends Error {
  constructor(site: string, when: string) {
    super(`injected fault ${when} ${site}`);
  }
}

const delegates = new Set(Object.values(Prisma.ModelName).map((name) => name[0].toLowerCase() + name.slice(1)));
const RAW = new Set(["$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe"]);

/** Shared by every server process of one run. */
export class DbTap {
  fault: DbFault | null = null;
  /** Set while fc.scheduler orders concurrent actions: resolves when this call may go. */
  gate: ((site: string) => Promise<void>) | null = null;
  readonly fired: string[] = [];
  /** Database calls made so far: a step that made none changed nothing there. */
  calls = 0;
  /** Committed settlements (a call row's settledAt written) per call row id. */
  readonly settlements = new Map<string, number>();

  /** The armed fault, if this call is the one it waits for. */
  take(site: string): DbFault | null {
    const f = this.fault;
    if (!f || f.site !== site) return null;
    if (f.skip > 0) {
      f.skip--;
      return null;
    }
    this.fault = null;
    this.fired.push(`${site} (${f.when})`);
    return f;
  }

  async run<T>(site: string, call: () => PromiseLike<T>): Promise<T> {
    this.calls++;
    if (this.gate) await this.gate(site);
    const fault = this.take(site);
    if (fault?.when === "before") throw new InjectedFault(site, "before");
    const result = await call();
    if (fault?.when === "after") throw new InjectedFault(site, "after");
    return result;
  }
}

/** Where a committed settlement is counted. */
type Settled = (callRowId: string) => void;

/** A Prisma promise that runs through the tap when awaited, and stays a Prisma promise for `$transaction([...])`. */
function tapped<T extends object>(tap: DbTap, site: string, promise: T): T {
  return new Proxy(promise, {
    get(target, prop) {
      if (prop === "then") {
        return (ok?: (v: unknown) => unknown, fail?: (e: unknown) => unknown) =>
          tap.run(site, () => target as unknown as PromiseLike<unknown>).then(ok, fail);
      }
      if (prop === "catch")
        return (fail: (e: unknown) => unknown) =>
          (tapped(tap, site, target) as unknown as Promise<unknown>).then(undefined, fail);
      if (prop === "finally")
        return (f: () => void) => (tapped(tap, site, target) as unknown as Promise<unknown>).finally(f);
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function delegate(tap: DbTap, model: string, target: object): object {
  return new Proxy(target, {
    get(t, method) {
      const value = Reflect.get(t, method, t);
      if (typeof value !== "function" || typeof method !== "string") return value;
      return (...args: unknown[]) => tapped(tap, `${model}.${method}`, value.apply(t, args) as object);
    },
  });
}

function client<T extends object>(tap: DbTap, target: T, settled: Settled): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (typeof prop !== "string") return value;
      if (delegates.has(prop)) return delegate(tap, prop, value as object);
      if (RAW.has(prop))
        return (...args: unknown[]) => tapped(tap, "$queryRaw", (value as (...a: unknown[]) => object).apply(t, args));
      if (prop === "$transaction") return transaction(tap, t, value as (...a: unknown[]) => Promise<unknown>, settled);
      if (prop === "pool") return pool(tap, value as Db["pool"], settled);
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}

function transaction(tap: DbTap, target: object, real: (...a: unknown[]) => Promise<unknown>, settled: Settled) {
  return (work: unknown, options?: unknown) =>
    tap.run("$transaction", async () => {
      if (typeof work !== "function") return real.call(target, work, options);
      return real.call(target, (tx: object) => (work as (tx: object) => unknown)(client(tap, tx, settled)), options);
    });
}

type Query = (...args: unknown[]) => Promise<{ rows?: { settledCallId?: string }[] }>;

/** Plain SQL on the pool: each statement commits on its own, so a settlement it returns counts at once. */
function pool(tap: DbTap, real: Db["pool"], settled: Settled): Db["pool"] {
  return new Proxy(real, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (prop === "query")
        return async (...args: unknown[]) => {
          // Sent only when the tap lets it go: pg starts a query when it is called, not when awaited.
          const result = await tap.run("pool.query", () => (value as Query).apply(t, args));
          // A statement that settles returns the call rows it settled as `settledCallId` (lib/calls/settle.ts).
          for (const row of result.rows ?? []) if (row.settledCallId) settled(row.settledCallId);
          return result;
        };
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}

/** A fresh view of the database for one server process (a restart makes a new one). */
export function serverDb(raw: Db, tap: DbTap): Db {
  return client(tap, raw, (id) => tap.settlements.set(id, (tap.settlements.get(id) ?? 0) + 1));
}
