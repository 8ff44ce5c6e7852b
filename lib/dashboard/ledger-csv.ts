import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import { csvLine } from "./csv";
import { addDays, at } from "./sql";

export const LEDGER_CSV_COLUMNS = [
  "id",
  "createdAt",
  "userId",
  "email",
  "kind",
  "availableDelta",
  "heldDelta",
  "reservationId",
  "actor",
  "reason",
] as const;

type Row = {
  id: bigint;
  createdAt: Date;
  userId: string;
  email: string;
  kind: string;
  availableDelta: number;
  heldDelta: number;
  reservationId: string | null;
  actor: string;
  reason: string | null;
};

/** UTC days, both included: from 2026-01-01 to 2026-01-31 is all of January. */
export function csvRange(from: string, to: string) {
  return { from: new Date(`${from}T00:00:00.000Z`), until: addDays(new Date(`${to}T00:00:00.000Z`), 1) };
}

/**
 * The ledger entries created in [from, until) as CSV, produced a batch at a time as the reader
 * pulls: each batch resumes after the last id sent, so memory holds one batch, whatever the range.
 */
export function ledgerCsvStream(
  db: Db,
  viewer: CurrentUser,
  range: { from: Date; until: Date },
  batchSize = 2000,
): ReadableStream<Uint8Array> {
  assertOperator(viewer);
  const encoder = new TextEncoder();
  let cursor: bigint | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (cursor === null) {
        cursor = 0n;
        controller.enqueue(encoder.encode(csvLine([...LEDGER_CSV_COLUMNS])));
        return;
      }
      const rows = await db.$queryRaw<Row[]>`
        SELECT e."id", e."createdAt", e."userId", u."email", e."kind"::text AS "kind", e."availableDelta", e."heldDelta",
               e."reservationId", e."actor", e."reason"
          FROM "LedgerEntry" e JOIN "User" u ON u."id" = e."userId"
         WHERE e."id" > ${cursor} AND e."createdAt" >= ${at(range.from)} AND e."createdAt" < ${at(range.until)}
         ORDER BY e."id" LIMIT ${batchSize}`;
      if (rows.length > 0) {
        cursor = rows[rows.length - 1].id;
        controller.enqueue(encoder.encode(rows.map((r) => csvLine(LEDGER_CSV_COLUMNS.map((c) => r[c]))).join("")));
      }
      if (rows.length < batchSize) controller.close();
    },
  });
}
