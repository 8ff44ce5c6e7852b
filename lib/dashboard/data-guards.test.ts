import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AccessDenied } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import { anOperator } from "@/test/dashboard-fixtures";
import { listAlerts, listAudit } from "./audit-and-alerts";
import { backgroundWork } from "./background";
import { getCallDetail, knownEndings, listCalls } from "./calls";
import { approveCreditRequest, declineCreditRequest, listCreditRequests } from "./credit-requests";
import { csvRange, ledgerCsvStream } from "./ledger-csv";
import { listLiveCalls } from "./live-calls";
import { endCallAsOperator } from "./operator-end-call";
import { getOverview, reconcilerWarning } from "./overview";
import { busyLines } from "./refused-starts";
import { adjustCredits, suspendUser, unsuspendUser } from "./user-actions";
import { getUserDetail, searchUsers } from "./users";
import { getWebhookEvent, listWebhookEvents, rejectedWebhookCounts } from "./webhooks";

// The data layer checks who is asking as well as the page, route or action in front of it: each
// function of lib/dashboard that takes the database refuses anyone but an active operator before
// its first query, whatever its caller checked.

type DataFunction = (db: Db, viewer: CurrentUser) => unknown;

const now = new Date("2026-03-15T12:00:00.000Z");
const drain = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

/** Each function, called with valid arguments: a new one goes here (the last test says so). */
const dataFunctions: Record<string, DataFunction> = {
  listAudit: (db, viewer) => listAudit(db, viewer, 1),
  listAlerts: (db, viewer) => listAlerts(db, viewer, 1),
  backgroundWork: (db, viewer) => backgroundWork(db, viewer, now),
  listCalls: (db, viewer) => listCalls(db, viewer, { page: 1 }),
  knownEndings: (db, viewer) => knownEndings(db, viewer),
  getCallDetail: (db, viewer) => getCallDetail(db, viewer, "some-call"),
  listCreditRequests: (db, viewer) => listCreditRequests(db, viewer, 1),
  ledgerCsvStream: (db, viewer) => drain(ledgerCsvStream(db, viewer, csvRange("2026-01-01", "2026-01-31"))),
  listLiveCalls: (db, viewer) => listLiveCalls(db, viewer, now),
  getOverview: (db, viewer) => getOverview(db, viewer, now),
  reconcilerWarning: (db, viewer) => reconcilerWarning(db, viewer, { VAPI_PRIVATE_KEY: "a key" }, now),
  busyLines: (db, viewer) => busyLines(db, viewer, now),
  searchUsers: (db, viewer) => searchUsers(db, viewer, { q: "someone", page: 1 }),
  getUserDetail: (db, viewer) => getUserDetail(db, viewer, "some-user", 1),
  listWebhookEvents: (db, viewer) => listWebhookEvents(db, viewer, { page: 1 }),
  getWebhookEvent: (db, viewer) => getWebhookEvent(db, viewer, 1n),
  rejectedWebhookCounts: (db, viewer) => rejectedWebhookCounts(db, viewer, now),
  adjustCredits: (db, viewer) =>
    adjustCredits(db, viewer, {
      userId: "some-user",
      direction: "grant",
      credits: 10,
      reason: "guard test",
      idempotencyKey: "8d0b6a0e-4c1f-4f5e-9a57-2f1c3b7d9e10",
    }),
  suspendUser: (db, viewer) => suspendUser(db, viewer, { userId: "some-user", reason: "guard test" }, now),
  unsuspendUser: (db, viewer) => unsuspendUser(db, viewer, { userId: "some-user", reason: "guard test" }),
  approveCreditRequest: (db, viewer) =>
    approveCreditRequest(db, viewer, { requestId: "some-request", credits: 10, reason: "guard test" }, now),
  declineCreditRequest: (db, viewer) =>
    declineCreditRequest(db, viewer, { requestId: "some-request", reason: "guard test" }, now),
  endCallAsOperator: (db, viewer) => endCallAsOperator(db, viewer, "some-call"),
};

/** Takes the database but no viewer: it looks up emails for ids that a read, having checked, already holds. */
const HELPERS_AFTER_THE_CHECK = ["emailsOf"];

/** A database that records every use and never answers (no query can succeed or fail). */
function watchedDb() {
  const touched: string[] = [];
  const node = (name: string): unknown =>
    new Proxy(() => {}, {
      get: (_, key) => {
        if (key === "then") return undefined; // not a promise: awaiting it must not count as a query
        touched.push(`${name}.${String(key)}`);
        return node(`${name}.${String(key)}`);
      },
      apply: () => new Promise(() => {}),
    });
  return { db: node("db") as Db, touched };
}

/** Calls `run` on a watched database: how it ended (a thrown error, or still waiting), and what it touched. */
async function attempt(run: DataFunction, viewer: CurrentUser | null) {
  const { db, touched } = watchedDb();
  const ended = Promise.resolve()
    .then(() => run(db, viewer as CurrentUser))
    .then(
      () => "answered",
      (error: unknown) => error,
    );
  // A timer fires after every pending microtask, stream pulls included: by then any query was asked.
  const waiting = new Promise((resolve) => setTimeout(() => resolve("waiting on the database"), 20));
  return { outcome: await Promise.race([ended, waiting]), touched };
}

describe("every dashboard function that takes the database", () => {
  const refused = [
    { who: "nobody", viewer: null, reason: "signed-out" },
    { who: "a plain user", viewer: { ...anOperator, role: "USER" as const }, reason: "not-operator" },
    { who: "a suspended operator", viewer: { ...anOperator, suspendedAt: now }, reason: "suspended" },
  ] as const;

  for (const { who, viewer, reason } of refused) {
    it(`refuses ${who} before touching the database`, async () => {
      for (const [name, run] of Object.entries(dataFunctions)) {
        const { outcome, touched } = await attempt(run, viewer);
        expect(touched, name).toEqual([]);
        expect(outcome, name).toBeInstanceOf(AccessDenied);
        expect(outcome, name).toMatchObject({ reason });
      }
    });
  }

  it("goes to the database for an operator (so the refusals above are the check's doing)", async () => {
    for (const [name, run] of Object.entries(dataFunctions)) {
      const { outcome, touched } = await attempt(run, anOperator);
      expect(outcome, name).toBe("waiting on the database");
      expect(touched.length, name).toBeGreaterThan(0);
    }
  });

  it("are all in the table above", async () => {
    const dir = path.resolve("lib/dashboard");
    const takesDb: string[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      for (const [name, value] of Object.entries(await import(path.join(dir, file)))) {
        // The source keeps parameter names: a function whose first one is `db` reads or writes data.
        if (typeof value === "function" && /^[^(]*\(\s*db\b/.test(value.toString())) takesDb.push(name);
      }
    }
    expect(takesDb.filter((name) => !HELPERS_AFTER_THE_CHECK.includes(name)).sort()).toEqual(
      Object.keys(dataFunctions).sort(),
    );
  });
});
