import { beforeAll, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { Db } from "@/lib/db/client";
import { claimRun } from "./run-lease";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

describe("claimRun", () => {
  it("lets exactly one of many processes run each interval, and the next interval another", async () => {
    const t0 = new Date();
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => claimRun(db, "reconciler", `p${i}`, 5, t0)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimRun(db, "reconciler", "p1", 5, new Date(t0.getTime() + 2_000))).toBe(false);
    expect(await claimRun(db, "reconciler", "p1", 5, new Date(t0.getTime() + 5_000))).toBe(true);
    expect(await claimRun(db, "retention", "p1", 5, t0)).toBe(true);
  });
});
