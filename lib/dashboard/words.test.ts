import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { formatDateTime, formatRelative } from "@/components/dashboard/format";
import { TAMPER_CHECK_ACTOR } from "@/lib/calls/suspend";
import type { Db } from "@/lib/db/client";
import { anOperator, billedCall, unauthorizedCall } from "@/test/dashboard-fixtures";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { listAudit } from "./audit-and-alerts";
import { knownEndings, listCalls } from "./calls";
import { getUserDetail } from "./users";
import { actorWords, endedByOf } from "./words";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

describe("who ended a call", () => {
  it("is what our records say when Vapi reports the assistant's side ended it, else Vapi's reason; the filter offers each once and finds exactly those", async () => {
    const user = await userWithCredits(db, 1000);
    const at = new Date("2026-04-01T10:00:00Z");
    const made = {
      operator: await billedCall(db, user.id, {
        startedAt: at,
        held: 10,
        flag: "OPERATOR",
        endedReason: "assistant-ended-call",
      }),
      callerBeforeOperator: await billedCall(db, user.id, {
        startedAt: at,
        held: 10,
        flag: "OPERATOR",
        endedReason: "customer-ended-call",
      }),
      cutoff: await billedCall(db, user.id, {
        startedAt: at,
        held: 10,
        flag: "CUTOFF",
        endedReason: "assistant-ended-call-after-message-spoken",
      }),
      tamper: await billedCall(db, user.id, {
        startedAt: at,
        held: 10,
        flag: "TAMPER",
        endedReason: "assistant-ended-call",
      }),
      caller: await billedCall(db, user.id, { startedAt: at, held: 10, endedReason: "customer-ended-call" }),
      coach: await billedCall(db, user.id, { startedAt: at, held: 10, endedReason: "assistant-ended-call" }),
      vapiLimit: await billedCall(db, user.id, {
        startedAt: at,
        held: 10,
        flag: "RAISED_MAX_DURATION",
        endedReason: "exceeded-max-duration",
      }),
      unauthorized: await unauthorizedCall(db, {
        startedAt: at,
        flag: "REPLAYED_TOKEN",
        endedReason: "assistant-ended-call",
      }),
    };
    const live = await userWithCredits(db, 100);
    await billedCall(db, live.id, { startedAt: at, held: 10, live: true, flag: "OPERATOR" });

    const words = Object.fromEntries(Object.entries(made).map(([name, call]) => [name, endedByOf(call)?.words]));
    expect(words).toEqual({
      operator: "an operator",
      callerBeforeOperator: "the caller hung up",
      cutoff: "the cutoff (credits ran out)",
      tamper: "the tamper check",
      caller: "the caller hung up",
      coach: "the coach ended it",
      vapiLimit: "Vapi's time limit",
      unauthorized: "unauthorized: start token used twice",
    });

    const endings = await knownEndings(db, anOperator);
    expect(endings.map((e) => e.key).sort()).toEqual([
      "cutoff",
      "operator",
      "reason:assistant-ended-call",
      "reason:customer-ended-call",
      "reason:exceeded-max-duration",
      "tamper",
      "unauthorized",
    ]);
    for (const { key } of endings) {
      const found = (await listCalls(db, anOperator, { page: 1, endedBy: key })).calls.map((c) => c.id).sort();
      const expected = Object.values(made)
        .filter((c) => endedByOf(c)?.key === key)
        .map((c) => c.id)
        .sort();
      expect(found, key).toEqual(expected);
    }
    expect((await listCalls(db, anOperator, { page: 1, endedBy: "nonsense" })).calls).toEqual([]);
  });
});

describe("who did it", () => {
  it("is an email for a person and 'system: …' for the app's own work, in the ledger and the audit log", async () => {
    const operator = await userWithCredits(db, 0, { role: "OPERATOR", email: `op-${randomUUID()}@words.test` });
    const user = await userWithCredits(db, 0, { email: `u-${randomUUID()}@words.test` });
    const emails = new Map([
      [operator.id, operator.email],
      [user.id, user.email],
    ]);
    expect(actorWords(`operator:${operator.id}`, emails)).toBe(operator.email);
    expect(actorWords(user.id, emails)).toBe(user.email);
    expect(actorWords(TAMPER_CHECK_ACTOR, emails)).toBe("system: tamper check");
    expect(actorWords("vapi:vapi-rest", emails)).toBe("system: reconciler (Vapi's record)");
    expect(actorWords("vapi:end-of-call-report", emails)).toBe("system: Vapi's end-of-call report");
    expect(actorWords("system:signup", emails)).toBe("system: welcome credits");
    expect(actorWords("constructor", emails)).toBe("constructor");
    expect(endedByOf({ status: "SETTLED", flag: null, endedAt: new Date(), endedReason: "constructor" })?.words).toBe(
      "constructor",
    );

    await db.ledgerEntry.create({
      data: {
        userId: user.id,
        kind: "GRANT",
        availableDelta: 5,
        heldDelta: 0,
        actor: `operator:${operator.id}`,
        idempotencyKey: randomUUID(),
      },
    });
    await db.user.update({ where: { id: user.id }, data: { available: { increment: 5 } } });
    await db.auditLog.create({
      data: { actorId: TAMPER_CHECK_ACTOR, action: "USER_SUSPEND", targetUserId: user.id, reason: "overrode server" },
    });
    await db.auditLog.create({
      data: { actorId: operator.id, action: "USER_UNSUSPEND", targetUserId: user.id, reason: "cleared" },
    });
    const detail = await getUserDetail(db, anOperator, user.id, 1);
    expect(detail?.ledger.map((e) => e.actorWords)).toEqual([operator.email]);
    expect(detail?.audit.map((a) => a.actorWords).sort()).toEqual([operator.email, "system: tamper check"].sort());
    const { entries } = await listAudit(db, anOperator, 1);
    expect(
      entries
        .filter((e) => e.targetUserId === user.id)
        .map((e) => e.actorWords)
        .sort(),
    ).toEqual([operator.email, "system: tamper check"].sort());
  });
});

describe("times", () => {
  it("show the second, and how long ago on hover", () => {
    expect(formatDateTime(new Date("2026-03-15T01:11:07.900Z"))).toBe("2026-03-15 01:11:07 UTC");
    const now = new Date("2026-03-15T12:00:00Z");
    const ago = (seconds: number) => formatRelative(new Date(now.getTime() - seconds * 1000), now);
    expect([ago(2), ago(45), ago(190), ago(7200), ago(3 * 86_400), ago(-30)]).toEqual([
      "just now",
      "45 s ago",
      "3 min ago",
      "2 h ago",
      "3 days ago",
      "in 30 s",
    ]);
  });
});
