import { db } from "@/lib/db/client";
import { operatorForRoute } from "@/lib/dashboard/access";
import { listLiveCalls } from "@/lib/dashboard/live-calls";

export const dynamic = "force-dynamic";

/** Polled every 2 s by the live view: the calls running now, small enough to send that often. */
export async function GET() {
  const { operator, refusal } = await operatorForRoute();
  if (refusal) return refusal;
  return Response.json(await listLiveCalls(db(), operator, new Date()), { headers: { "Cache-Control": "no-store" } });
}
