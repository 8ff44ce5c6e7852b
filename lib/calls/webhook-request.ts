import { db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { metrics } from "@/lib/observability/metrics";
import { receiveServerMessage } from "./inbox";

export { MAX_BODY_BYTES } from "./inbox";

export type WebhookAnswer = { status: number; body: unknown; headers: Record<string, string> };

// no-transform: the replies are a few bytes, and gzipping them costs more than it saves.
const NO_STORE = { "cache-control": "no-store, no-transform" };

/**
 * The answer to one POST of a Vapi server message, however it reached us (Next's route, or the
 * production server's own listener): `rawBody` is null when it was over MAX_BODY_BYTES. Counted
 * and timed from `started`, when the request came in.
 */
export async function answerServerMessage(
  request: { headers: Headers; rawBody: string | null; clientIp: string },
  started: number,
): Promise<WebhookAnswer> {
  const { headers, rawBody, clientIp } = request;
  if (rawBody === null) {
    metrics.webhookRequests.inc({ type: "other", outcome: "too-large" });
    return { status: 413, body: { error: "Body too large." }, headers: NO_STORE };
  }
  const reply = await receiveServerMessage(
    { db: db(), config: appConfig(), pricing: pricingFromEnv() },
    { headers, rawBody, clientIp },
  ).catch((error: unknown) => {
    metrics.webhookRequests.inc({ type: "other", outcome: "error" });
    throw error;
  });
  metrics.webhookRequests.inc({ type: reply.type, outcome: reply.outcome });
  metrics.webhookDuration.observe({ type: reply.type }, (performance.now() - started) / 1000);
  return { status: reply.status, body: reply.body, headers: { ...NO_STORE, ...reply.headers } };
}
