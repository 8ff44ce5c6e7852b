export const dynamic = "force-dynamic";

/** Liveness: the process answers. No database query: /api/ready says whether it can serve. */
export function GET() {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
