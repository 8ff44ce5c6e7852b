import type { Db } from "@/lib/db/client";

type Row = { problem: string };

/**
 * The ledger's promises, checked against the database. Empty means all hold:
 * balances never negative; every balance equals the sum of its ledger entries; credits held
 * equal the live reservations; a closed reservation was closed once and accounts for all it held.
 */
export async function checkInvariants(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT 'user ' || u."id" || ' has a negative balance' AS problem
      FROM "User" u WHERE u."available" < 0 OR u."held" < 0
    UNION ALL
    SELECT 'user ' || u."id" || ' balance ' || u."available" || '/' || u."held" || ' differs from its ledger ' || COALESCE(l.a, 0) || '/' || COALESCE(l.h, 0)
      FROM "User" u
      LEFT JOIN (SELECT "userId", SUM("availableDelta") a, SUM("heldDelta") h FROM "LedgerEntry" GROUP BY "userId") l ON l."userId" = u."id"
      WHERE u."available" <> COALESCE(l.a, 0) OR u."held" <> COALESCE(l.h, 0)
    UNION ALL
    SELECT 'user ' || u."id" || ' holds ' || u."held" || ' but its live reservations hold ' || COALESCE(r.c, 0)
      FROM "User" u
      LEFT JOIN (SELECT "userId", SUM("credits") c FROM "Reservation" WHERE "status" = 'HELD' GROUP BY "userId") r ON r."userId" = u."id"
      WHERE u."held" <> COALESCE(r.c, 0)
    UNION ALL
    SELECT 'reservation ' || r."id" || ' (' || r."status" || ') ledger moved ' || COALESCE(-SUM(e."heldDelta"), 0) || ' of ' || r."credits" || ' out of held'
      FROM "Reservation" r LEFT JOIN "LedgerEntry" e ON e."reservationId" = r."id" AND e."kind" <> 'HOLD'
      GROUP BY r."id"
      HAVING (r."status" = 'HELD' AND COUNT(e."id") > 0)
          OR (r."status" <> 'HELD' AND COALESCE(-SUM(e."heldDelta"), 0) <> r."credits")
          OR COALESCE(-SUM(e."heldDelta") FILTER (WHERE e."kind" = 'CAPTURE'), 0) <> r."capturedCredits"
    UNION ALL
    SELECT 'reservation ' || "reservationId" || ' has ' || COUNT(*) || ' hold entries'
      FROM "LedgerEntry" WHERE "kind" = 'HOLD' GROUP BY "reservationId" HAVING COUNT(*) <> 1
  `;
  return rows.map((r) => r.problem);
}
