import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { hitRateLimit } from "@/lib/rate-limit";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { getCallDetail, listCalls } from "./calls";
import { anOperator, billedCall, unauthorizedCall } from "@/test/dashboard-fixtures";
import { getWebhookEvent, listWebhookEvents, rejectedWebhookCounts } from "./webhooks";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

describe("call history", () => {
  it("filters by user email, who ended the call and UTC days, both ends included", async () => {
    const ann = await userWithCredits(db, 100, { email: "ann@calls.test" });
    const bob = await userWithCredits(db, 100, { email: "bob@calls.test" });
    const day = (iso: string) => new Date(iso);
    await billedCall(db, ann.id, {
      startedAt: day("2026-02-01T00:00:00Z"),
      held: 10,
      charged: 1,
      endedReason: "customer-ended-call",
    });
    await billedCall(db, ann.id, {
      startedAt: day("2026-02-02T23:59:59Z"),
      held: 10,
      charged: 1,
      endedReason: "exceeded-max-duration",
    });
    await billedCall(db, bob.id, {
      startedAt: day("2026-02-03T00:00:00Z"),
      held: 10,
      charged: 1,
      endedReason: "customer-ended-call",
    });
    await unauthorizedCall(db, { startedAt: day("2026-02-02T12:00:00Z"), endedReason: "customer-ended-call" });
    const find = async (f: object) =>
      (await listCalls(db, anOperator, { page: 1, ...f })).calls.map((c) => [
        c.user?.email ?? null,
        c.startedAt.toISOString().slice(0, 10),
      ]);

    expect(await find({ email: "ANN@" })).toEqual([
      ["ann@calls.test", "2026-02-02"],
      ["ann@calls.test", "2026-02-01"],
    ]);
    expect(await find({ endedBy: "reason:customer-ended-call" })).toEqual([
      ["bob@calls.test", "2026-02-03"],
      ["ann@calls.test", "2026-02-01"],
    ]);
    expect(await find({ endedBy: "unauthorized" })).toEqual([[null, "2026-02-02"]]);
    expect(await find({ from: "2026-02-01", to: "2026-02-02" })).toHaveLength(3);
    expect(await find({ from: "2026-02-03" })).toEqual([["bob@calls.test", "2026-02-03"]]);
  });

  it("shows one call's billing, webhook timeline and alerts, by our id or Vapi's, with personal data masked", async () => {
    const user = await userWithCredits(db, 100);
    const call = await billedCall(db, user.id, {
      startedAt: new Date(),
      held: 30,
      charged: 12,
      transcript: "User: mail me at ada@example.com",
    });
    const payload = (status: string) => ({ message: { type: "status-update", status, call: { id: call.vapiCallId } } });
    await db.webhookEvent.create({
      data: {
        dedupeKey: "b",
        type: "status-update",
        status: "ended",
        vapiCallId: call.vapiCallId,
        outcome: "ACCEPTED",
        payload: payload("ended"),
        receivedAt: new Date(Date.now() + 1000),
      },
    });
    await db.webhookEvent.create({
      data: {
        dedupeKey: "a",
        type: "status-update",
        status: "in-progress",
        vapiCallId: call.vapiCallId,
        outcome: "ACCEPTED",
        payload: payload("in-progress"),
      },
    });
    await db.alert.create({
      data: { kind: "TAMPERED_CALL", vapiCallId: call.vapiCallId, message: "changed the server URL" },
    });

    const detail = await getCallDetail(db, anOperator, call.vapiCallId);
    expect(detail?.call.id).toBe(call.id);
    expect((await getCallDetail(db, anOperator, call.id))?.call.vapiCallId).toBe(call.vapiCallId);
    expect(detail?.events.map((e) => e.status)).toEqual(["in-progress", "ended"]);
    expect(detail?.call.reservation).toMatchObject({
      status: "CAPTURED",
      credits: 30,
      capturedCredits: 12,
      releasedCredits: 18,
    });
    expect(detail?.call.reservation?.ledgerEntries.map((e) => e.kind)).toEqual(["HOLD", "CAPTURE", "RELEASE"]);
    expect(detail?.alerts.map((a) => a.kind)).toEqual(["TAMPERED_CALL"]);
    expect(detail?.call.transcript).toBe("User: mail me at a***@example.com");
    expect(await getCallDetail(db, anOperator, "no-such-call")).toBeNull();
  });
});

describe("webhook log", () => {
  it("lists events by outcome and shows one payload masked", async () => {
    const event = await db.webhookEvent.create({
      data: {
        dedupeKey: "bad-shape",
        type: "status-update",
        outcome: "INVALID",
        detail: "status missing",
        payload: { message: { type: "status-update", note: "call +14155550123" } },
      },
    });
    const invalid = await listWebhookEvents(db, anOperator, { outcome: "INVALID", page: 1 });
    expect(invalid.events.map((e) => e.id)).toEqual([event.id]);
    expect(invalid.events[0]).not.toHaveProperty("payload");
    expect(await getWebhookEvent(db, anOperator, event.id)).toMatchObject({
      payload: { message: { note: "call +*********23" } },
    });
  });

  it("lists the messages not processed yet, with their failed attempts, and counts them", async () => {
    const pending = await db.webhookEvent.create({
      data: {
        dedupeKey: "pending",
        type: "status-update",
        status: "in-progress",
        outcome: "ACCEPTED",
        payload: {},
        processedAt: null,
        attempts: 2,
        lastError: "connection reset",
        action: { kind: "end" },
      },
    });
    const list = await listWebhookEvents(db, anOperator, { outcome: "unprocessed", page: 1 });
    expect(list.events.map((e) => [e.id, e.attempts, e.lastError])).toEqual([[pending.id, 2, "connection reset"]]);
    expect(list.unprocessed).toBe(1);
  });

  it("counts rejections by reason apart from the per-address throttling counters", async () => {
    const now = new Date();
    for (const key of [
      "webhook-rejected:reason:bad-signature",
      "webhook-rejected:reason:bad-signature",
      "webhook-rejected:reason:missing-auth",
      "webhook-rejected:source:203.0.113.9",
    ]) {
      await hitRateLimit(db, key, 1000, 3600, now);
    }
    await hitRateLimit(
      db,
      "webhook-rejected:reason:bad-signature",
      1000,
      3600,
      new Date(now.getTime() - 3 * 86_400_000),
    );
    const counts = await rejectedWebhookCounts(db, anOperator, now);
    expect(counts.byReason.map((r) => [r.key, r.last24Hours, r.total])).toEqual([
      ["bad-signature", 2, 3],
      ["missing-auth", 1, 1],
    ]);
    expect(counts.bySource.map((r) => r.key)).toEqual(["203.0.113.9"]);
  });
});
