// Liveness: answers without touching the database (load balancers, and the webhook benchmark's baseline).
export function GET() {
  return Response.json({ ok: true });
}
export const POST = GET;
