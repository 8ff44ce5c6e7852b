import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { adjust } from "@/lib/credits/ledger";
import { checkInvariants } from "@/lib/credits/invariants";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { csvLine, parseCsv } from "./csv";
import { LEDGER_CSV_COLUMNS, csvRange, ledgerCsvStream } from "./ledger-csv";
import { anOperator, billedCall } from "@/test/dashboard-fixtures";

let db: Db;
const tricky = 'refund, "as promised"\nsecond line';

beforeAll(async () => {
  ({ db } = await freshDb());
  for (let i = 0; i < 7; i++) {
    const user = await userWithCredits(db, 100 + i);
    await billedCall(db, user.id, { startedAt: new Date(), held: 40, charged: 5 + i, usedSeconds: 60 });
    if (i % 2)
      await adjust(db, {
        userId: user.id,
        credits: -3,
        actor: "operator:x",
        reason: i === 1 ? tricky : '=HYPERLINK("x")',
        idempotencyKey: randomUUID(),
      });
  }
  await billedCall(db, (await userWithCredits(db, 60)).id, { startedAt: new Date(), held: 60, live: true });
  expect(await checkInvariants(db)).toEqual([]);
});

async function download(from: string, to: string, batchSize: number) {
  return parseCsv(await new Response(ledgerCsvStream(db, anOperator, csvRange(from, to), batchSize)).text());
}

describe("ledger CSV", () => {
  it("streams every entry in the range, in batches, and its sums per user equal the balances", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const [header, ...rows] = await download("2000-01-01", today, 3);
    expect(header).toEqual([...LEDGER_CSV_COLUMNS]);
    expect(rows).toHaveLength(await db.ledgerEntry.count());
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);

    const sums = new Map<string, { available: number; held: number }>();
    for (const r of rows) {
      const s = sums.get(r[2]) ?? { available: 0, held: 0 };
      sums.set(r[2], { available: s.available + Number(r[5]), held: s.held + Number(r[6]) });
    }
    const users = await db.user.findMany({ select: { id: true, available: true, held: true } });
    expect(Object.fromEntries(sums)).toEqual(
      Object.fromEntries(users.map((u) => [u.id, { available: u.available, held: u.held }])),
    );
  });

  it("reads a batch only when the reader asks for more", async () => {
    const query = vi.spyOn(db, "$queryRaw");
    const reader = ledgerCsvStream(db, anOperator, csvRange("2000-01-01", "2100-01-01"), 2).getReader();
    await reader.read();
    const { value } = await reader.read();
    expect(parseCsv(new TextDecoder().decode(value))).toHaveLength(2);
    expect(query).toHaveBeenCalledTimes(1);
    await reader.cancel();
    query.mockRestore();
  });

  it("keeps free text intact and defuses spreadsheet formulas", async () => {
    const rows = await download("2000-01-01", new Date().toISOString().slice(0, 10), 1000);
    const reasons = rows.map((r) => r[9]);
    expect(reasons).toContain(tricky);
    expect(reasons).toContain('\'=HYPERLINK("x")');
    expect(rows.find((r) => r[4] === "DEDUCT")?.[5]).toBe("-3");
  });

  it("includes only entries created on the days asked for (UTC, both ends included)", async () => {
    const entries = await db.ledgerEntry.findMany({ orderBy: { id: "asc" }, take: 3 });
    const at = ["2025-06-01T00:00:00Z", "2025-06-02T23:59:59.999Z", "2025-06-03T00:00:00Z"];
    for (const [i, e] of entries.entries())
      await db.ledgerEntry.update({ where: { id: e.id }, data: { createdAt: new Date(at[i]) } });
    const [, ...rows] = await download("2025-06-01", "2025-06-02", 1);
    expect(rows.map((r) => r[0])).toEqual([entries[0].id.toString(), entries[1].id.toString()]);
    expect(await download("2025-05-01", "2025-05-31", 10)).toEqual([[...LEDGER_CSV_COLUMNS]]);
  });
});

describe("csv lines", () => {
  it("round-trips quotes, commas and line breaks", () => {
    const cells = ["a,b", 'say "hi"', "x\r\ny", "", "plain"];
    expect(parseCsv(csvLine(cells) + csvLine(["next"]))).toEqual([cells, ["next"]]);
  });
});
