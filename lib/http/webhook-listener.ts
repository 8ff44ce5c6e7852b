import type { IncomingMessage, ServerResponse } from "node:http";
import { answerServerMessage, MAX_BODY_BYTES } from "@/lib/calls/webhook-request";
import { log } from "@/lib/observability/log";
import { nodeClientIp } from "./client-ip";
import { readNodeBodyCapped } from "./read-body";

const WEBHOOK_PATH = "/api/vapi/webhook";

/**
 * A POST of a Vapi server message, which the production server answers itself (server.ts): Next's
 * own handling of a request costs several times what the message does, and every turn of every
 * call sends one. The answer is the one Next's route gives (lib/calls/webhook-request.ts).
 */
export function isServerMessagePost(request: IncomingMessage): boolean {
  if (request.method !== "POST" || !request.url) return false;
  const path = request.url.split("?", 1)[0];
  return path === WEBHOOK_PATH;
}

export async function serveServerMessage(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const started = performance.now();
  try {
    const rawBody = await readNodeBodyCapped(request, MAX_BODY_BYTES);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
    const answer = await answerServerMessage({ headers, rawBody, clientIp: nodeClientIp(request) }, started);
    const body = JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      ...answer.headers,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    // A body too large was not read to its end: Node discards the rest once this answer is sent,
    // so a sender still writing it is not cut off mid-request (Node's requestTimeout bounds it).
    response.end(body);
  } catch (error) {
    log.error({ err: error }, "Answering a Vapi server message failed");
    if (!response.headersSent)
      response.writeHead(500, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify({ error: "Internal error." }));
  }
}
