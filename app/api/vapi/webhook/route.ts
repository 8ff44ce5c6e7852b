import { db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { MAX_BODY_BYTES, receiveServerMessage } from "@/lib/calls/inbox";
import { readBodyCapped } from "@/lib/http/read-body";
import { clientIp } from "@/lib/http/client-ip";
import { metrics } from "@/lib/observability/metrics";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  const started = performance.now();
  const rawBody = await readBodyCapped(request, MAX_BODY_BYTES);
  if (rawBody === null) {
    metrics.webhookRequests.inc({ type: "other", outcome: "too-large" });
    return Response.json({ error: "Body too large." }, { status: 413 });
  }
  const reply = await receiveServerMessage(
    { db: db(), config: appConfig(), pricing: pricingFromEnv() },
    { headers: request.headers, rawBody, clientIp: clientIp(request.headers) },
  ).catch((error: unknown) => {
    metrics.webhookRequests.inc({ type: "other", outcome: "error" });
    throw error;
  });
  metrics.webhookRequests.inc({ type: reply.type, outcome: reply.outcome });
  metrics.webhookDuration.observe({ type: reply.type }, (performance.now() - started) / 1000);
  // no-transform: the replies are a few bytes, and gzipping them (Next's default) costs more than it saves.
  return Response.json(reply.body, {
    status: reply.status,
    headers: { "cache-control": "no-store, no-transform", ...reply.headers },
  });
}
