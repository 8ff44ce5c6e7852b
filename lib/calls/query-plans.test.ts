import { beforeAll, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { endOfCallReport, signedRequest, statusUpdate, webCall } from "@/test/server-messages";
import type { Db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import type { Pricing } from "@/lib/credits/pricing";
import { release } from "@/lib/credits/ledger";
import { authorizeCall } from "./authorize";
import { receiveServerMessage } from "./inbox";
import { markCallEnded } from "./settle";
import { startCall } from "./start-call";

// The statements that run for every call name one reservation, call or message by its key. With no
// statistics yet (a new database, or a burst of new rows) the planner costs every index alike, and
// one whose condition the statement also implies ("status" = 'HELD', "processedAt" IS NULL) became
// a way to the row through all of its kind: a thousand held reservations read for each bind. A
// statement that acts for several messages at once, joined on its list of them alone, read every
// message not processed yet: it names them by a key array too.

const SECRET = "webhook-secret-for-tests";
const pricing: Pricing = { creditsPerMinute: 10, minCreditsToStart: 5, maxCallMinutes: 30 };
const config = appConfig({
  VAPI_ASSISTANT_ID: "coach-assistant",
  VAPI_PUBLIC_KEY: "pk",
  VAPI_WEBHOOK_SECRET: SECRET,
  VAPI_WEBHOOK_AUTH: "hmac",
  START_TOKEN_SECRET: "start-token-secret-for-tests",
});
const HELD_ELSEWHERE = 40;
const OTHER_CALLS = 2000;
/** The unique key, or the key among messages not processed yet: either finds one row by its key. */
const BY_DEDUPE_KEY = /^WebhookEvent_(dedupeKey_key|unprocessed_key_idx)$/;

type Statement = { text: string; values?: unknown[] };
type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
};

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
  for (let i = 0; i < HELD_ELSEWHERE; i++) {
    const user = await userWithCredits(db, 100);
    await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
  }
  // Other live calls, so that reading all of them would cost what it costs at a thousand calls.
  await db.pool.query(`INSERT INTO "Call" ("id", "vapiCallId", "status", "startedAt", "createdAt", "updatedAt")
    SELECT 'other-' || n, 'other-call-' || n, 'ACTIVE', now(), now(), now() FROM generate_series(1, ${OTHER_CALLS}) n`);
});

/** The statements the pool ran while `run` ran, by their opening words. */
async function statementsOf(run: () => Promise<unknown>): Promise<Statement[]> {
  const seen: Statement[] = [];
  const query = db.pool.query.bind(db.pool);
  db.pool.query = ((statement: unknown, ...rest: unknown[]) => {
    if (typeof statement === "object" && statement && "text" in statement) seen.push(statement as Statement);
    return (query as (...args: unknown[]) => unknown)(statement, ...rest);
  }) as typeof db.pool.query;
  try {
    await run();
  } finally {
    db.pool.query = query;
  }
  return seen;
}

/**
 * Each scan of `table` in the plan of `statement` with its values: the index it reads, or its node
 * type. An index read with no condition on its key (all of its rows, say every held reservation)
 * is named "<index> (all of it)".
 */
async function scansOf(statement: Statement, table: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>({
    text: `EXPLAIN (FORMAT JSON) ${statement.text}`,
    values: statement.values,
  });
  const indexRead = (node: PlanNode) => `${node["Index Name"]}${node["Index Cond"] ? "" : " (all of it)"}`;
  const scans: string[] = [];
  const walk = (node: PlanNode) => {
    if (node["Relation Name"] === table && node["Node Type"].endsWith("Scan")) {
      if (node["Index Name"]) scans.push(indexRead(node));
      else if (node["Node Type"] === "Bitmap Heap Scan") scans.push(...(node.Plans ?? []).map(indexRead));
      else scans.push(node["Node Type"]);
    }
    node.Plans?.forEach(walk);
  };
  walk(rows[0]["QUERY PLAN"][0].Plan);
  return scans;
}

describe("the statements of a paid call", () => {
  it("reach its reservation and its messages by their keys, not through every held reservation or pending message", async () => {
    const user = await userWithCredits(db, 100);
    const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
    const call = webCall({ metadata: start.assistantOverrides.metadata });
    const deliver = (body: unknown) => receiveServerMessage({ db, config, pricing }, signedRequest(SECRET, body));

    // One statement records the message and binds: the message is written processed, read by no scan.
    const authorization = await statementsOf(() => deliver(statusUpdate(call, "in-progress")));
    expect(authorization).toHaveLength(1);
    const [bind] = authorization;
    expect(bind.text).toContain(`UPDATE "Reservation"`);
    expect(await scansOf(bind, "Reservation")).toEqual(["Reservation_pkey", "Reservation_pkey"]);
    expect(await scansOf(bind, "WebhookEvent")).toEqual([]);
    expect(await scansOf(bind, "Call")).toEqual(["Call_vapiCallId_key"]);

    const ended = await statementsOf(() => deliver(statusUpdate(call, "ended")));
    expect(ended).toHaveLength(1);
    const [end] = ended;
    expect(end.text).toContain(`"endedAt" = COALESCE(c."endedAt"`);
    expect(await scansOf(end, "Call")).toEqual(["Call_vapiCallId_key", "Call_pkey"]);
    expect(await scansOf(end, "WebhookEvent")).toEqual([]);

    const settlement = await statementsOf(() => deliver(endOfCallReport(call, { seconds: 60 })));
    const lookup = settlement.find((s) => s.text.startsWith(`SELECT * FROM "Call"`))!;
    expect(await scansOf(lookup, "Call")).toEqual(["Call_vapiCallId_key"]);
    const close = settlement.find((s) => s.text.includes(`UPDATE "Reservation"`))!;
    expect(await scansOf(close, "Reservation")).toEqual(["Reservation_pkey"]);
    expect(await scansOf(close, "Call")).toEqual(["Call_pkey", "Call_pkey"]);
    expect(await scansOf(close, "WebhookEvent")).toEqual([expect.stringMatching(BY_DEDUPE_KEY)]);
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: call.id } })).toMatchObject({ status: "SETTLED" });
  });

  it("of a start bound by its action (a retry) reach its reservation and its message by their keys", async () => {
    const user = await userWithCredits(db, 100);
    const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
    const call = webCall({ metadata: start.assistantOverrides.metadata });
    const sighting = {
      vapiCallId: call.id,
      metadata: start.assistantOverrides.metadata,
      startedAt: new Date(),
      live: true,
    };
    const retried = await statementsOf(() => authorizeCall(db, sighting, config.startTokenSecret, new Date(), "a-key"));
    const bind = retried.find((s) => s.text.includes(`UPDATE "Reservation"`))!;
    expect(await scansOf(bind, "Reservation")).toEqual(["Reservation_pkey", "Reservation_pkey"]);
    expect(await scansOf(bind, "WebhookEvent")).toEqual([expect.stringMatching(BY_DEDUPE_KEY)]);
    expect(await scansOf(bind, "Call")).toEqual(["Call_vapiCallId_key"]);
  });

  it("of an end done by its action (a retry) reach its call and its message by their keys", async () => {
    const retried = await statementsOf(() =>
      markCallEnded(db, "other-call-7", "customer-ended-call", new Date(), "c-key"),
    );
    const [end] = retried;
    expect(await scansOf(end, "Call")).toEqual(["Call_vapiCallId_key", "Call_pkey"]);
    expect(await scansOf(end, "WebhookEvent")).toEqual([expect.stringMatching(BY_DEDUPE_KEY)]);
  });

  it("of a start given up reach its reservation by its key", async () => {
    const user = await userWithCredits(db, 100);
    const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
    const given = await statementsOf(() => release(db, start.reservation.id, "the call did not start"));
    const close = given.find((s) => s.text.includes(`UPDATE "Reservation"`))!;
    expect(await scansOf(close, "Reservation")).toEqual(["Reservation_pkey"]);
  });

  it("of an unauthorized call and of a tool call reach their messages and calls by their keys too", async () => {
    const free = webCall({ metadata: { startToken: "forged" } });
    const deliver = (body: unknown) => receiveServerMessage({ db, config, pricing }, signedRequest(SECRET, body));
    const refusal = await statementsOf(() => deliver(statusUpdate(free, "in-progress")));
    expect(refusal).toHaveLength(1);
    expect(refusal[0].text).toContain(`'UNAUTHORIZED'`);
    expect(await scansOf(refusal[0], "WebhookEvent")).toEqual([]);
    // Done by its action (a retry), the refusal marks its message, found by its key.
    const other = webCall({ metadata: { startToken: "forged" } });
    const sighting = {
      vapiCallId: other.id,
      metadata: other.assistantOverrides!.metadata,
      startedAt: new Date(),
      live: true,
    };
    const retried = await statementsOf(() => authorizeCall(db, sighting, config.startTokenSecret, new Date(), "b-key"));
    const recorded = retried.find((s) => s.text.includes(`'UNAUTHORIZED'`))!;
    expect(await scansOf(recorded, "WebhookEvent")).toEqual([expect.stringMatching(BY_DEDUPE_KEY)]);
    const toolCall = { id: "t1", type: "function", function: { name: "getRemainingCredits", arguments: {} } };
    const tool = await statementsOf(() =>
      deliver({ message: { type: "tool-calls", timestamp: Date.now(), call: free, toolCallList: [toolCall] } }),
    );
    const lookup = tool.find((s) => s.text.includes(`FROM "Call" c LEFT JOIN "User"`))!;
    expect(await scansOf(lookup, "Call")).toEqual(["Call_vapiCallId_key"]);
  });
});
