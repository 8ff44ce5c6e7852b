import type { NextRequest } from "next/server";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { operatorForRoute } from "@/lib/dashboard/access";
import { csvRange, ledgerCsvStream } from "@/lib/dashboard/ledger-csv";
import { LedgerCsvRange } from "@/lib/dashboard/schemas";

export const dynamic = "force-dynamic";

/** GET ?from=YYYY-MM-DD&to=YYYY-MM-DD: the ledger entries of those UTC days, streamed as CSV. */
export async function GET(request: NextRequest) {
  const { operator, refusal } = await operatorForRoute();
  if (refusal) return refusal;
  const parsed = LedgerCsvRange.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!parsed.success) return Response.json({ error: z.prettifyError(parsed.error) }, { status: 400 });
  const { from, to } = parsed.data;
  return new Response(ledgerCsvStream(db(), operator, csvRange(from, to)), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="ledger-${from}-to-${to}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
