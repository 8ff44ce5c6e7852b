import { randomUUID } from "node:crypto";
import { signHmac } from "@/lib/vapi/verify";

/** Server messages shaped as Vapi sends them (vapi-protocol.md §2.3): the `call` is the creation snapshot. */
export function webCall(opts: { metadata?: unknown; controlUrl?: string; id?: string } = {}) {
  const id = opts.id ?? randomUUID();
  return {
    id,
    orgId: "org-test",
    type: "webCall",
    status: "queued",
    assistantId: "coach-assistant",
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    monitor: opts.controlUrl
      ? { controlUrl: opts.controlUrl, listenUrl: opts.controlUrl.replace("/control", "/listen") }
      : {},
    assistantOverrides: opts.metadata === undefined ? {} : { metadata: opts.metadata },
  };
}

type Call = ReturnType<typeof webCall>;

export const statusUpdate = (call: Call, status: "in-progress" | "ended", extra: Record<string, unknown> = {}) => ({
  message: { type: "status-update", status, timestamp: Date.now(), call, ...extra },
});

export function endOfCallReport(call: Call, o: { seconds: number; endedReason?: string; startedAt?: Date }) {
  const startedAt = o.startedAt ?? new Date(Date.now() - o.seconds * 1000);
  const endedAt = new Date(startedAt.getTime() + o.seconds * 1000);
  return {
    message: {
      type: "end-of-call-report",
      timestamp: Date.now(),
      call,
      endedReason: o.endedReason ?? "customer-ended-call",
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: Math.round(o.seconds * 1000),
      durationSeconds: o.seconds,
      cost: 0.12,
      analysis: { summary: "A good talk." },
      artifact: { transcript: "AI: Hi\nUser: Hello\n", messages: [] },
    },
  };
}

/** A request signed the way our emulator and an HMAC credential on Vapi sign it. */
export function signedRequest(secret: string, body: unknown, timestamp = Date.now()) {
  const rawBody = JSON.stringify(body);
  const headers = new Headers({
    "content-type": "application/json",
    "x-timestamp": String(timestamp),
    "x-signature": signHmac(secret, timestamp, rawBody),
  });
  return { headers, rawBody, clientIp: "127.0.0.1" };
}
