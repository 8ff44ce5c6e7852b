// `npm run bench:dashboard`: times the server-side functions behind the dashboard's busiest pages
// on the database `npm run db:seed:large` filled (DATABASE_URL, or the embedded data/pg).
// BENCH_RUNS sets the runs per query (20). Exits non-zero when a p95 misses the target.
import type { CurrentUser } from "@/lib/auth/session";
import { createDb, type Db } from "@/lib/db/client";
import { listCalls } from "@/lib/dashboard/calls";
import { csvRange, ledgerCsvStream } from "@/lib/dashboard/ledger-csv";
import { listLiveCalls } from "@/lib/dashboard/live-calls";
import { getOverview } from "@/lib/dashboard/overview";
import { getUserDetail, searchUsers } from "@/lib/dashboard/users";
import { openDevDatabase } from "./seed-large";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TARGET_MS = 300;

// The reads check that an operator is asking, as the pages pass theirs; no row needs to exist.
const viewer: CurrentUser = {
  id: "bench",
  email: "bench@localhost",
  name: null,
  role: "OPERATOR",
  suspendedAt: null,
  available: 0,
  held: 0,
};

async function firstCsvBatch(db: Db) {
  const today = new Date().toISOString().slice(0, 10);
  const reader = ledgerCsvStream(db, viewer, csvRange("2000-01-01", today)).getReader();
  await reader.read();
  await reader.read();
  await reader.cancel();
}

const cases: [string, (db: Db) => Promise<unknown>][] = [
  ["overview (figures + 30-day series)", (db) => getOverview(db, viewer, new Date())],
  ["users: first page", (db) => searchUsers(db, viewer, { page: 1 })],
  ['users: search "user4217"', (db) => searchUsers(db, viewer, { q: "user4217", page: 1 })],
  ['users: search "hopper", page 3', (db) => searchUsers(db, viewer, { q: "hopper", page: 3 })],
  ["users: last page", (db) => searchUsers(db, viewer, { page: 400 })],
  ["user detail: ledger page 1", (db) => getUserDetail(db, viewer, "seed-u-4217", 1)],
  ["live calls (polled every 2 s)", (db) => listLiveCalls(db, viewer, new Date())],
  ["calls: first page, no filter", (db) => listCalls(db, viewer, { page: 1 })],
  ["ledger CSV: first batch", firstCsvBatch],
];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const database = await openDevDatabase();
  const db = createDb(database.url);
  let missed = 0;
  try {
    console.log(
      `${await db.user.count()} users, ${await db.call.count()} calls, ${await db.ledgerEntry.count()} ledger entries; ${RUNS} runs each\n`,
    );
    console.log(`${"query".padEnd(38)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"max ms".padStart(8)}`);
    for (const [name, run] of cases) {
      await run(db);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        await run(db);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 95);
      if (p95 > TARGET_MS) missed++;
      console.log(
        `${name.padEnd(38)} ${percentile(times, 50).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${times.at(-1)!.toFixed(1).padStart(8)}${p95 > TARGET_MS ? "  over target" : ""}`,
      );
    }
    console.log(
      missed
        ? `\n${missed} queries over the ${TARGET_MS} ms target at p95.`
        : `\nAll under the ${TARGET_MS} ms target at p95.`,
    );
    if (missed) process.exitCode = 1;
  } finally {
    await db.$disconnect();
    await database.close();
  }
}

await main();
