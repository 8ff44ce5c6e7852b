import { timingSafeEqual } from "node:crypto";
import { db } from "@/lib/db/client";
import { readDatabaseFacts } from "@/lib/observability/database-facts";
import { metrics, registerDatabaseGauges } from "@/lib/observability/metrics";

export const dynamic = "force-dynamic";

/** Prometheus text format, for a scraper holding METRICS_TOKEN as its bearer token (401 otherwise, and always when none is set). */
export async function GET(request: Request) {
  if (!bearerMatches(request.headers.get("authorization"), process.env.METRICS_TOKEN)) {
    return Response.json({ error: "Unauthorized." }, { status: 401, headers: { "www-authenticate": "Bearer" } });
  }
  registerDatabaseGauges(() => readDatabaseFacts(db()));
  return new Response(await metrics.registry.metrics(), {
    headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" },
  });
}

function bearerMatches(header: string | null, token: string | undefined) {
  if (!token || !header?.startsWith("Bearer ")) return false;
  const given = Buffer.from(header.slice("Bearer ".length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
