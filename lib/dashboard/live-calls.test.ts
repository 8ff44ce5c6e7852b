import { beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { listLiveCalls } from "./live-calls";
import { endCallAsOperator } from "./operator-end-call";
import { asCurrentUser, billedCall } from "@/test/dashboard-fixtures";

const requestCallEnd = vi.hoisted(() => vi.fn(async () => ({ ok: true, detail: "Ending the call." })));
vi.mock("@/lib/calls/end-call", () => ({ requestCallEnd }));

let db: Db;
let operator: CurrentUser;
const now = new Date("2026-03-15T12:00:00.000Z");
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);

beforeAll(async () => {
  ({ db } = await freshDb());
  operator = asCurrentUser(await userWithCredits(db, 0, { role: "OPERATOR" }));
});

const event = (vapiCallId: string, type: string, message: object, receivedAt: Date) =>
  db.webhookEvent.create({
    data: {
      dedupeKey: `${vapiCallId}:${type}:${receivedAt.getTime()}`,
      type,
      vapiCallId,
      outcome: "ACCEPTED",
      payload: { message: { type, ...message } },
      receivedAt,
    },
  });

describe("live calls", () => {
  it("lists running calls with elapsed and remaining time and what was said last", async () => {
    const a = await userWithCredits(db, 100, { email: "live-a@example.test" });
    const b = await userWithCredits(db, 100, { email: "live-b@example.test" });
    const c = await userWithCredits(db, 100, { email: "live-c@example.test" });
    const callA = await billedCall(db, a.id, {
      startedAt: secondsAgo(90),
      cutoffAt: secondsAgo(-30),
      held: 50,
      live: true,
    });
    const callB = await billedCall(db, b.id, {
      startedAt: secondsAgo(20),
      cutoffAt: secondsAgo(-600),
      held: 50,
      live: true,
      transcript: "AI: Hello\nUser: my number is +1 415 555 0123\nAI: Noted",
    });
    const callC = await billedCall(db, c.id, { startedAt: secondsAgo(10), held: 50, live: true });
    await billedCall(db, (await userWithCredits(db, 10)).id, { startedAt: secondsAgo(3600), held: 10, charged: 1 });
    const said = Array.from({ length: 12 }, (_, i) => ({ role: i % 2 ? "user" : "bot", message: `line ${i}` }));
    await event(callA.vapiCallId, "conversation-update", { messages: said.slice(0, 3) }, secondsAgo(60));
    await event(
      callA.vapiCallId,
      "conversation-update",
      { messages: [{ role: "system", message: "prompt" }, ...said] },
      secondsAgo(5),
    );
    await event(
      callC.vapiCallId,
      "transcript",
      { role: "user", transcriptType: "final", transcript: "hi there" },
      secondsAgo(2),
    );

    const { calls } = await listLiveCalls(db, operator, now);
    expect(calls.map((x) => x.email)).toEqual(["live-a@example.test", "live-b@example.test", "live-c@example.test"]);
    expect(calls[0]).toMatchObject({
      elapsedSeconds: 90,
      remainingSeconds: 30,
      lastLines: ["AI: line 8", "User: line 9", "AI: line 10", "User: line 11"],
    });
    expect(calls[1]).toMatchObject({
      elapsedSeconds: 20,
      remainingSeconds: 600,
      lastLines: ["AI: Hello", "User: my number is +* *** *** **23", "AI: Noted"],
    });
    expect(calls[2]).toMatchObject({ remainingSeconds: null, lastLines: ["User: hi there"], ending: false });
    expect(callB.id).toBe(calls[1].id);
  });
});

describe("ending a call", () => {
  it("asks the call to end and records who did it and what came back", async () => {
    const user = await userWithCredits(db, 100);
    const call = await billedCall(db, user.id, { startedAt: secondsAgo(30), held: 50, live: true });
    requestCallEnd.mockClear();
    expect(await endCallAsOperator(db, operator, call.id)).toEqual({ ok: true, detail: "Ending the call." });
    expect(requestCallEnd).toHaveBeenCalledTimes(1);
    const [usedDb, request] = requestCallEnd.mock.calls[0] as unknown as [Db, object];
    expect(usedDb).toBe(db);
    expect(request).toEqual({ vapiCallId: call.vapiCallId, why: "OPERATOR", actor: `operator:${operator.id}` });
    expect(await db.auditLog.findMany({ where: { targetCallId: call.id } })).toMatchObject([
      {
        actorId: operator.id,
        action: "CALL_END",
        targetUserId: user.id,
        details: { vapiCallId: call.vapiCallId, ok: true, detail: "Ending the call." },
      },
    ]);
  });

  it("records a failed end request too", async () => {
    const call = await billedCall(db, (await userWithCredits(db, 100)).id, {
      startedAt: secondsAgo(30),
      held: 50,
      live: true,
    });
    requestCallEnd.mockRejectedValueOnce(new Error("control URL down"));
    vi.spyOn(console, "error").mockImplementationOnce(() => {});
    expect(await endCallAsOperator(db, operator, call.id)).toMatchObject({ ok: false });
    expect(await db.auditLog.count({ where: { targetCallId: call.id, action: "CALL_END" } })).toBe(1);
  });

  it("refuses a call that is not live, an unknown call and a plain user", async () => {
    const user = await userWithCredits(db, 100);
    const ended = await billedCall(db, user.id, { startedAt: secondsAgo(300), held: 10, charged: 2 });
    const live = await billedCall(db, (await userWithCredits(db, 100)).id, {
      startedAt: secondsAgo(30),
      held: 50,
      live: true,
    });
    requestCallEnd.mockClear();
    await expect(endCallAsOperator(db, operator, ended.id)).rejects.toThrow("no longer live");
    await expect(endCallAsOperator(db, operator, "no-such-call")).rejects.toThrow("No such call.");
    await expect(endCallAsOperator(db, asCurrentUser(user), live.id)).rejects.toThrow("Operators only.");
    expect(requestCallEnd).not.toHaveBeenCalled();
    expect(await db.auditLog.count({ where: { targetCallId: { in: [ended.id, live.id] } } })).toBe(0);
  });
});
