import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import type { Db } from "@/lib/db/client";
import { failureLog } from "./failure-log";
import { log } from "./log";
import { readDatabaseFacts } from "./database-facts";
import { checkReadiness } from "./readiness";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});
afterEach(() => vi.restoreAllMocks());

describe("failureLog", () => {
  it("logs when something starts failing and when it recovers, not on every failure in between", () => {
    const error = vi.spyOn(log, "error");
    const info = vi.spyOn(log, "info");
    const reconciler = failureLog("reconciler");
    for (let i = 0; i < 5; i++) reconciler.failed(new Error("Vapi answered 502"));
    reconciler.succeeded();
    reconciler.succeeded();
    reconciler.failed(new Error("again"));
    expect(error).toHaveBeenCalledTimes(2);
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0][0]).toMatchObject({ failures: 5 });
  });
});

describe("checkReadiness", () => {
  const now = new Date();
  it("is not ready without a fresh worker heartbeat or, when expected, a recent reconciler read; and says why", async () => {
    const before = await checkReadiness(db, { reconcilerExpected: true, now });
    expect(before.ready).toBe(false);
    expect(before.reasons).toEqual([
      "no background worker has reported in the last 15 s",
      "the reconciler has not read Vapi's calls in the last 60 s",
    ]);
    await db.workerHeartbeat.create({
      data: { id: "w1", host: "h", pid: 1, startedAt: now, beatAt: new Date(now.getTime() - 3_000) },
    });
    await db.reconcilerCursor.create({
      data: { name: "vapi-calls", until: now, checkedAt: new Date(now.getTime() - 5_000) },
    });
    expect(await checkReadiness(db, { reconcilerExpected: true, now })).toEqual({ ready: true, reasons: [] });
    expect(
      (await checkReadiness(db, { reconcilerExpected: true, now: new Date(now.getTime() + 20_000) })).reasons,
    ).toEqual(["no background worker has reported in the last 15 s"]);
  });

  it("names the migrations a database lacks", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
    fs.mkdirSync(path.join(dir, "20991231000000_from_the_future"));
    const readiness = await checkReadiness(db, { reconcilerExpected: false, migrationsDir: dir, now });
    expect(readiness.reasons).toContain(
      "migrations not applied: 20991231000000_from_the_future (run `npx prisma migrate deploy`)",
    );
  });
});

describe("readDatabaseFacts", () => {
  it("sums balances and counts background work by state", async () => {
    const before = await readDatabaseFacts(db);
    await userWithCredits(db, 40);
    await db.webhookEvent.create({
      data: {
        dedupeKey: "p1",
        type: "status-update",
        outcome: "ACCEPTED",
        payload: {},
        processedAt: null,
        action: {},
        attempts: 2,
      },
    });
    const after = await readDatabaseFacts(db);
    expect(after.available - before.available).toBe(40);
    expect(after.jobs["webhook-message-retrying"] - before.jobs["webhook-message-retrying"]).toBe(1);
  });

  it("counts the job queue's jobs by task and state", async () => {
    await db.pool.query(`SELECT graphile_worker.add_job('retention')`);
    expect((await readDatabaseFacts(db)).queue.retention).toEqual({ waiting: 1, retrying: 0, running: 0, failed: 0 });
  });
});
