import { randomUUID } from "node:crypto";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { ActionResult } from "@/lib/auth/validated-action";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { dashboardRoutesOnDisk } from "./endpoint-files";
import { dashboardActions, dashboardApiRoutes, dashboardPages, type ActionTargets } from "./protected-endpoints";
import { billedCall } from "@/test/dashboard-fixtures";

// The session is the one thing faked: who is asking. Everything behind it is real.
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock("next-auth", () => ({
  getServerSession: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
const requestCallEnd = vi.hoisted(() => vi.fn(async () => ({ ok: true, detail: "Ending the call." })));
vi.mock("@/lib/calls/end-call", () => ({ requestCallEnd }));

type Action = (raw: unknown) => Promise<ActionResult<unknown>>;
const loadAction = async (file: string, name: string) => (await import(path.resolve(file)))[name] as Action;

let db: Db;
let targets: ActionTargets;
let plainUserId: string;
let operatorId: string;
let suspendedOperatorId: string;

beforeAll(async () => {
  const fresh = await freshDb();
  db = fresh.db;
  process.env.DATABASE_URL = fresh.url;
  plainUserId = (await userWithCredits(db, 100)).id;
  operatorId = (await userWithCredits(db, 0, { role: "OPERATOR" })).id;
  suspendedOperatorId = (
    await db.user.create({
      data: {
        email: `so-${randomUUID()}@example.test`,
        passwordHash: "x",
        role: "OPERATOR",
        suspendedAt: new Date(),
        suspendedReason: "test",
      },
    })
  ).id;
  const target = await userWithCredits(db, 50);
  const suspended = await db.user.create({
    data: {
      email: `s-${randomUUID()}@example.test`,
      passwordHash: "x",
      suspendedAt: new Date(),
      suspendedReason: "test",
    },
  });
  const call = await billedCall(db, (await userWithCredits(db, 100)).id, {
    startedAt: new Date(),
    held: 60,
    live: true,
  });
  const askFor = async () =>
    (
      await db.creditRequest.create({
        data: { userId: (await userWithCredits(db, 0)).id, credits: 10, note: "access test" },
      })
    ).id;
  targets = {
    userId: target.id,
    suspendedUserId: suspended.id,
    callId: call.id,
    idempotencyKey: randomUUID(),
    creditRequestToApprove: await askFor(),
    creditRequestToDecline: await askFor(),
  };
});

/** Everything an action could change. */
async function worldState() {
  const [audit, ledger, users, calls, creditRequests] = await Promise.all([
    db.auditLog.count(),
    db.ledgerEntry.count(),
    db.user.findMany({ orderBy: { id: "asc" }, select: { id: true, available: true, held: true, suspendedAt: true } }),
    db.call.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true, flag: true } }),
    db.creditRequest.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true } }),
  ]);
  return { audit, ledger, users, calls, creditRequests };
}

describe("every dashboard server action", () => {
  const refused = [
    { who: "signed out", id: () => null, error: "Please sign in." },
    { who: "a plain user", id: () => plainUserId, error: "Operators only." },
    { who: "a suspended operator", id: () => suspendedOperatorId, error: "This account is suspended." },
  ];
  for (const { who, id, error } of refused) {
    it(`refuses ${who} and changes nothing`, async () => {
      session.userId = id();
      const before = await worldState();
      requestCallEnd.mockClear();
      for (const a of dashboardActions) {
        const result = await (await loadAction(a.file, a.name))(a.input(targets));
        expect(result, a.name).toEqual({ ok: false, error });
      }
      expect(await worldState()).toEqual(before);
      expect(requestCallEnd).not.toHaveBeenCalled();
    });
  }

  it("works for an operator (so the refusals above are the guard's doing)", async () => {
    session.userId = operatorId;
    const before = await worldState();
    for (const a of dashboardActions) {
      const result = await (await loadAction(a.file, a.name))(a.input(targets));
      expect(result, a.name).toMatchObject({ ok: true });
    }
    expect((await worldState()).audit).toBe(before.audit + dashboardActions.length);
    expect(requestCallEnd).toHaveBeenCalledTimes(1);
  });
});

describe("the list of protected endpoints", () => {
  const onDisk = dashboardRoutesOnDisk();

  it("names every page and API route under app/dashboard and app/api/dashboard", () => {
    expect(onDisk.pages).toEqual([...dashboardPages].sort());
    expect(onDisk.apiRoutes).toEqual(dashboardApiRoutes.map((r) => r.path).sort());
  });

  it("names every server action those folders export", async () => {
    const listedFiles = [...new Set(dashboardActions.map((a) => a.file))].sort();
    expect(onDisk.actionFiles).toEqual(listedFiles);
    for (const file of listedFiles) {
      const exported = Object.keys(await import(path.resolve(file))).sort();
      expect(exported, file).toEqual(
        dashboardActions
          .filter((a) => a.file === file)
          .map((a) => a.name)
          .sort(),
      );
    }
  });
});
