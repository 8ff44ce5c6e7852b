import { db } from "@/lib/db/client";
import { checkReadiness } from "@/lib/observability/readiness";

export const dynamic = "force-dynamic";

/** 200 when this instance can serve (see checkReadiness), else 503 with the reasons. */
export async function GET() {
  const readiness = await checkReadiness(db(), { reconcilerExpected: !!process.env.VAPI_PRIVATE_KEY });
  return Response.json(readiness, { status: readiness.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
