import { beforeAll, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { Db } from "@/lib/db/client";
import { hitRateLimit } from "./rate-limit";
import { enforceRetention } from "./retention";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

describe("enforceRetention", () => {
  it("deletes rate-limit windows older than a week and keeps newer ones", async () => {
    await hitRateLimit(db, "old", 5, 60, daysAgo(8));
    await hitRateLimit(db, "recent", 5, 60, daysAgo(6));
    expect((await enforceRetention(db)).windows).toBe(1);
    expect((await db.rateLimitWindow.findMany()).map((w) => w.key)).toEqual(["recent"]);
  });

  it("reduces processed webhook messages past the retention to their metadata, and keeps the rest whole", async () => {
    const event = (dedupeKey: string, receivedAt: Date, processedAt: Date | null) =>
      db.webhookEvent.create({
        data: {
          dedupeKey,
          type: "end-of-call-report",
          vapiCallId: "c",
          outcome: "ACCEPTED",
          payload: { message: { summary: "hi" } },
          receivedAt,
          processedAt,
          action: processedAt ? undefined : { kind: "settle" },
        },
      });
    await event("old", daysAgo(31), daysAgo(31));
    await event("old-unprocessed", daysAgo(31), null);
    await event("new", daysAgo(29), daysAgo(29));
    expect((await enforceRetention(db)).payloads).toBe(1);
    const rows = Object.fromEntries((await db.webhookEvent.findMany()).map((e) => [e.dedupeKey, e]));
    expect(rows.old).toMatchObject({ payload: { pruned: true }, type: "end-of-call-report", vapiCallId: "c" });
    expect(rows["old-unprocessed"].payload).toEqual({ message: { summary: "hi" } });
    expect(rows.new.payload).toEqual({ message: { summary: "hi" } });
    expect((await enforceRetention(db)).payloads).toBe(0);
  });

  it("deletes queue jobs given up on more than a week ago, and keeps the rest", async () => {
    const job = async (key: string, daysOld: number, attempts: number) => {
      const { rows } = await db.pool.query<{ id: string }>(
        `SELECT id FROM graphile_worker.add_job('retention', job_key := $1, max_attempts := 3)`,
        [key],
      );
      await db.pool.query(
        `UPDATE graphile_worker._private_jobs SET attempts = $2, last_error = 'boom', updated_at = now() - make_interval(days => $3) WHERE id = $1`,
        [rows[0].id, attempts, daysOld],
      );
    };
    await job("old-failed", 8, 3);
    await job("recent-failed", 6, 3);
    await job("old-retrying", 8, 1);
    expect((await enforceRetention(db)).failedJobs).toBe(1);
    const { rows } = await db.pool.query<{ key: string }>(`SELECT key FROM graphile_worker.jobs ORDER BY key`);
    expect(rows.map((r) => r.key)).toEqual(["old-retrying", "recent-failed"]);
  });
});
