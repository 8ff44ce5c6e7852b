import { beforeAll, describe, expect, it } from "vitest";
import { anOperator } from "@/test/dashboard-fixtures";
import { freshDb } from "@/test/db";
import type { Db } from "@/lib/db/client";
import { backgroundWork } from "./background";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

describe("backgroundWork", () => {
  it("shows queue depth, what is failing and why, the reconciler's lag and which workers are alive", async () => {
    const now = new Date();
    await db.webhookEvent.create({
      data: {
        dedupeKey: "f",
        type: "end-of-call-report",
        vapiCallId: "c1",
        outcome: "ACCEPTED",
        payload: {},
        processedAt: null,
        action: { kind: "settle" },
        attempts: 3,
        lastError: "connection reset",
        nextAttemptAt: now,
      },
    });
    await db.workerHeartbeat.createMany({
      data: [
        { id: "alive", host: "a", pid: 1, startedAt: now, beatAt: new Date(now.getTime() - 2_000) },
        { id: "dead", host: "b", pid: 2, startedAt: now, beatAt: new Date(now.getTime() - 60_000) },
      ],
    });
    await db.reconcilerCursor.create({
      data: { name: "vapi-calls", until: now, checkedAt: new Date(now.getTime() - 7_000) },
    });
    const work = await backgroundWork(db, anOperator, now);
    expect(work.jobs["webhook-message-retrying"]).toBe(1);
    expect(work.failingMessages.map((m) => [m.vapiCallId, m.attempts, m.lastError])).toEqual([
      ["c1", 3, "connection reset"],
    ]);
    expect(Object.fromEntries(work.workers.map((w) => [w.id, w.alive]))).toEqual({ alive: true, dead: false });
    expect(work.reconcilerLagSeconds).toBe(7);
    expect(work.queue).toMatchObject({ installed: true, byTask: {}, failing: [] });
    expect(work.reconcilerNextRunInSeconds).toBeNull();
  });
});
