// `npm run db:seed:large`: 10,000 users, 100,000 calls and 1,000,000 ledger entries, for the
// dashboard's benchmarks. Uses DATABASE_URL, or the embedded database in data/pg (stop `npm run
// dev` first, or point DATABASE_URL at its database). Bulk SQL with generate_series: every balance
// is the sum of its ledger entries, and every reservation is held, captured and released through
// entries, as the ledger would have done it.
import { pathToFileURL } from "node:url";
import pg from "pg";
import { hashPassword } from "@/lib/auth/passwords";
import { checkInvariants } from "@/lib/credits/invariants";
import { createDb } from "@/lib/db/client";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations, ensureDatabase } from "@/lib/db/migrate";
import { seedDemo } from "./seed-demo";
import { exitOnSetupError } from "@/lib/setup/errors";

export const SEED = { users: 10_000, callsPerUser: 10, ledgerEntries: 1_000_000, password: "seed-password" };

/** The database `npm run dev` uses: DATABASE_URL, or the embedded server on data/pg, migrated. */
export async function openDevDatabase(): Promise<{ url: string; close: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, close: async () => {} };
  const server = await startEmbeddedPostgres({ dataDir: "data/pg", persistent: true });
  const url = server.url("coach");
  await ensureDatabase(url);
  await applyMigrations(url);
  return { url, close: server.stop };
}

// Call n (1..100,000) belongs to user ceil(n / 10). Every 5,000th call is live (holding 100
// credits), every 100th was never authorized; the rest captured c of 100 held credits and released
// the rest. Each settled call makes 3 entries (hold, capture, release), each live call 1 (hold);
// grants and corrections make up the rest: 70 per user, and one more for the first few users.
const CALLS = `
  CREATE TEMP TABLE seed_calls AS
  SELECT n, 'seed-u-' || ((n - 1) / 10 + 1) AS user_id, 'seed-r-' || n AS reservation_id, 'seed-vapi-' || n AS vapi_call_id,
         CASE WHEN n % 5000 = 1 THEN 'ACTIVE' WHEN n % 100 = 50 THEN 'UNAUTHORIZED' ELSE 'SETTLED' END AS status,
         1 + (n * 31) % 99 AS captured, started,
         CASE WHEN n % 100 = 50 THEN 5 + n % 40 ELSE 6 * (1 + (n * 31) % 99) END AS used
    FROM generate_series(1, ${SEED.users * SEED.callsPerUser}) n
   CROSS JOIN LATERAL (SELECT CASE WHEN n % 5000 = 1 THEN now() - make_interval(secs => 60 + n % 300)
                                   ELSE now() - make_interval(secs => 600 + (n::bigint * 7919) % (90 * 86400)) END AS started) s`;

const STEPS: [string, string][] = [
  [
    "users",
    `
    INSERT INTO "User" ("id", "email", "name", "passwordHash", "role", "createdAt", "suspendedAt", "suspendedReason")
    SELECT 'seed-u-' || i, 'user' || i || '@seed.test',
           (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','John','Margaret','Ken'])[1 + i % 10] || ' ' ||
           (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Backus','Hamilton','Thompson'])[1 + (i / 10) % 10],
           $1, 'USER', now() - make_interval(secs => 180 * 86400 + (i * 1543) % (180 * 86400)),
           CASE WHEN i % 500 = 0 THEN now() END, CASE WHEN i % 500 = 0 THEN 'seeded suspension' END
      FROM generate_series(1, ${SEED.users}) i`,
  ],
  ["call plan", CALLS],
  [
    "reservations",
    `
    INSERT INTO "Reservation" ("id", "userId", "credits", "seconds", "status", "capturedCredits", "releasedCredits", "vapiCallId", "boundAt", "expiresAt", "idempotencyKey", "createdAt", "closedAt")
    SELECT reservation_id, user_id, 100, 600, (CASE WHEN status = 'ACTIVE' THEN 'HELD' ELSE 'CAPTURED' END)::"ReservationStatus",
           CASE WHEN status = 'ACTIVE' THEN 0 ELSE captured END, CASE WHEN status = 'ACTIVE' THEN 0 ELSE 100 - captured END,
           vapi_call_id, started, started + interval '1 minute', reservation_id, started - interval '5 seconds',
           CASE WHEN status = 'ACTIVE' THEN NULL ELSE started + make_interval(secs => used) END
      FROM seed_calls WHERE status <> 'UNAUTHORIZED'`,
  ],
  [
    "calls",
    `
    INSERT INTO "Call" ("id", "vapiCallId", "userId", "reservationId", "status", "flag", "startedAt", "warnAt", "cutoffAt", "endCallDueAt", "vapiStatus",
                        "endedAt", "endedReason", "usedSeconds", "creditsCharged", "vapiCost", "summary", "settledAt", "createdAt", "updatedAt")
    SELECT 'seed-c-' || n, vapi_call_id, CASE WHEN status = 'UNAUTHORIZED' AND n % 200 = 0 THEN NULL ELSE user_id END,
           CASE WHEN status = 'UNAUTHORIZED' THEN NULL ELSE reservation_id END, status::"CallStatus",
           CASE WHEN status = 'UNAUTHORIZED' THEN 'MISSING_TOKEN'::"CallFlag" END,
           started, started + interval '540 seconds', started + interval '600 seconds', started + interval '600 seconds',
           CASE WHEN status = 'ACTIVE' THEN 'in-progress' ELSE 'ended' END,
           CASE WHEN status = 'ACTIVE' THEN NULL ELSE started + make_interval(secs => used) END,
           CASE WHEN status = 'ACTIVE' THEN NULL
                ELSE (ARRAY['customer-ended-call','assistant-ended-call','exceeded-max-duration','silence-timed-out'])[1 + n % 4] END,
           CASE WHEN status = 'ACTIVE' THEN NULL ELSE used END,
           CASE WHEN status = 'SETTLED' THEN captured END,
           CASE WHEN status = 'ACTIVE' THEN NULL ELSE round(used * 0.07 / 60, 4) END,
           CASE WHEN status = 'SETTLED' THEN 'A seeded coaching session.' END,
           CASE WHEN status = 'ACTIVE' THEN NULL ELSE started + make_interval(secs => used + 5) END,
           started, now()
      FROM seed_calls`,
  ],
  [
    "ledger entries",
    `
    INSERT INTO "LedgerEntry" ("userId", "kind", "availableDelta", "heldDelta", "reservationId", "actor", "reason", "idempotencyKey", "createdAt")
    SELECT user_id, kind::"LedgerKind", available_delta, held_delta, reservation_id, actor, reason, key, created FROM (
      SELECT u."id" AS user_id, CASE WHEN j % 10 = 0 THEN 'DEDUCT' ELSE 'GRANT' END AS kind,
             CASE WHEN j % 10 = 0 THEN -5 ELSE 50 END AS available_delta, 0 AS held_delta, NULL AS reservation_id, 'seed' AS actor,
             CASE WHEN j % 10 = 0 THEN 'seeded correction' ELSE 'seeded top-up' END AS reason, 'seed-g-' || u."id" || '-' || j AS key,
             CASE WHEN j > 65 THEN now() - make_interval(secs => (i * 37 + j * 101) % (30 * 86400)) ELSE u."createdAt" + make_interval(hours => j) END AS created
        FROM generate_series(1, ${SEED.users}) i
        JOIN "User" u ON u."id" = 'seed-u-' || i
       CROSS JOIN LATERAL generate_series(1, 70 + CASE WHEN i <= $1 THEN 1 ELSE 0 END) j
      UNION ALL
      SELECT user_id, 'HOLD', -100, 100, reservation_id, user_id, NULL, 'hold:' || reservation_id, started FROM seed_calls WHERE status <> 'UNAUTHORIZED'
      UNION ALL
      SELECT user_id, 'CAPTURE', 0, -captured, reservation_id, 'vapi:end-of-call-report', NULL, 'capture:' || reservation_id, started + make_interval(secs => used)
        FROM seed_calls WHERE status = 'SETTLED'
      UNION ALL
      SELECT user_id, 'RELEASE', 100 - captured, captured - 100, reservation_id, 'vapi:end-of-call-report', NULL, 'release:' || reservation_id, started + make_interval(secs => used)
        FROM seed_calls WHERE status = 'SETTLED'
    ) e ORDER BY created`,
  ],
  [
    "balances",
    `
    UPDATE "User" u SET "available" = s.a, "held" = s.h
      FROM (SELECT "userId", SUM("availableDelta") AS a, SUM("heldDelta") AS h FROM "LedgerEntry" WHERE "userId" LIKE 'seed-u-%' GROUP BY 1) s
     WHERE u."id" = s."userId"`,
  ],
  [
    "alerts",
    `
    INSERT INTO "Alert" ("id", "kind", "userId", "vapiCallId", "seconds", "message", "createdAt")
    SELECT 'seed-a-' || n, 'UNAUTHORIZED_CALL'::"AlertKind", CASE WHEN n % 200 = 0 THEN NULL ELSE user_id END, vapi_call_id, used,
           'Call without a valid start (MISSING_TOKEN).', started
      FROM seed_calls WHERE status = 'UNAUTHORIZED'`,
  ],
  [
    "webhook events",
    `
    INSERT INTO "WebhookEvent" ("dedupeKey", "type", "vapiCallId", "outcome", "payload", "receivedAt")
    SELECT vapi_call_id || ':conversation-update:seed', 'conversation-update', vapi_call_id, 'ACCEPTED'::"WebhookOutcome",
           jsonb_build_object('message', jsonb_build_object('type', 'conversation-update', 'messages', jsonb_build_array(
             jsonb_build_object('role', 'bot', 'message', 'Hi, what would you like to work on today?'),
             jsonb_build_object('role', 'user', 'message', 'My presentation on Friday.'),
             jsonb_build_object('role', 'bot', 'message', 'Good. Walk me through your opening.')))),
           started + interval '20 seconds'
      FROM seed_calls WHERE status = 'ACTIVE'`,
  ],
];

/** How many users get a 71st grant, so the ledger holds exactly SEED.ledgerEntries entries. */
async function extraGrants(client: pg.Client): Promise<number> {
  const {
    rows: [planned],
  } = await client.query<{ entries: string }>(
    `SELECT SUM(CASE status WHEN 'SETTLED' THEN 3 WHEN 'ACTIVE' THEN 1 ELSE 0 END) AS entries FROM seed_calls`,
  );
  return SEED.ledgerEntries - SEED.users * 70 - Number(planned.entries);
}

async function seedLarge(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if ((await client.query(`SELECT 1 FROM "User" WHERE "id" = 'seed-u-1'`)).rowCount) {
      console.log("This database is already seeded (user seed-u-1 exists). Run `npm run db:reset` to start over.");
      return false;
    }
    const prisma = createDb(url);
    await seedDemo(prisma);
    await prisma.$disconnect();
    await client.query(`SET TIME ZONE 'UTC'; SET work_mem = '256MB'; SET synchronous_commit = off`);
    const passwordHash = await hashPassword(SEED.password);
    const started = Date.now();
    await client.query("BEGIN");
    for (const [name, sql] of STEPS) {
      const stepStart = Date.now();
      const params: unknown[] =
        name === "users" ? [passwordHash] : name === "ledger entries" ? [await extraGrants(client)] : [];
      const result = await client.query(sql, params);
      console.log(
        `${name.padEnd(16)} ${String(result.rowCount ?? "").padStart(9)} rows  ${((Date.now() - stepStart) / 1000).toFixed(1)} s`,
      );
    }
    await client.query("COMMIT");
    await client.query("ANALYZE");
    console.log(
      `Seeded in ${((Date.now() - started) / 1000).toFixed(1)} s. Every seeded user's password: ${SEED.password}`,
    );
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

async function main() {
  const database = await openDevDatabase();
  try {
    if (await seedLarge(database.url)) {
      const db = createDb(database.url);
      const checkStart = Date.now();
      const problems = await checkInvariants(db);
      await db.$disconnect();
      console.log(
        `Ledger invariants: ${problems.length ? `${problems.length} problems, first: ${problems[0]}` : "all hold"} (${((Date.now() - checkStart) / 1000).toFixed(1)} s)`,
      );
      if (problems.length) process.exitCode = 1;
    }
  } finally {
    await database.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main().catch(exitOnSetupError);
