// `npm run bench:webhooks` and `npm run bench:enforcement`: figures from a production build of the
// app with embedded PostgreSQL and the Vapi emulator (run `npm run build` first). Prints; asserts nothing.
import http from "node:http";
import { createDb } from "@/lib/db/client";
import { startCall } from "@/lib/calls/start-call";
import { appConfig } from "@/lib/config";
import { grant } from "@/lib/credits/ledger";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { signHmac } from "@/lib/vapi/verify";
import { cpuPer } from "./process-cpu";
import { fmt, startBenchStack, type CallDetails } from "./bench-support";

const which = process.argv[2];
if (which !== "webhooks" && which !== "enforcement") throw new Error("usage: bench-calls.ts webhooks|enforcement");

// node:http with keep-alive rather than fetch: the load generator shares the two cores with the
// server, and this costs it about a third of the CPU per request.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const { stack, env, appUrl, admin } = await startBenchStack({
  // The webhook figures are the route's own cost: background work (tamper checks, follow-up
  // end-calls, the reconciler) runs on workers, and here on none.
  env: which === "webhooks" ? { COACH_WORKERS: "off" } : {},
  // The enforcement bench starts 40 calls at once: a bench measures our side, not Vapi's default 10 lines.
  emulator: { concurrencyLimit: 1000 },
});
try {
  if (which === "webhooks") {
    await benchWebhooks();
    await benchWebhookTypes();
  } else await benchEnforcement();
} finally {
  await stack.stop();
}

/** `count` requests, `concurrency` at a time; returns per-request latencies and the throughput. */
async function load(count: number, concurrency: number, send: (i: number) => Promise<number>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        const status = await send(i);
        if (status !== 200) throw new Error(`request ${i} → ${status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, perSecond: count / ((performance.now() - started) / 1000) };
}

function post(pathname: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${appUrl}${pathname}`,
      { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

function signedMessage(i: number) {
  return signed({
    message: {
      type: "conversation-update",
      timestamp: Date.now() + i,
      call: { id: `bench-call-${i % 50}` },
      messages: [{ role: "bot", message: `line ${i}` }],
    },
  });
}

function signed(message: unknown) {
  const body = JSON.stringify(message);
  const ts = Date.now();
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-timestamp": String(ts),
      "x-signature": signHmac(env.VAPI_WEBHOOK_SECRET, ts, body),
    },
  };
}

async function benchWebhooks() {
  // The 50 live calls the messages belong to, so each one also updates its call's transcript.
  const db = createDb(stack.databaseUrl);
  await db.call.createMany({
    data: Array.from({ length: 50 }, (_, k) => ({ vapiCallId: `bench-call-${k}`, status: "ACTIVE" as const })),
  });
  // Signed up front, so the load generator (on the same two cores) takes less from the server.
  const messages = Array.from({ length: 12_000 }, (_, i) => signedMessage(i));
  const webhook = (i: number) => post("/api/vapi/webhook", messages[i].headers, messages[i].body);
  const bare = () => post("/api/live", { "content-type": "application/json" }, "{}");
  await load(300, 20, (i) => webhook(5_000 + i)); // warm-up, on messages of its own
  await load(300, 20, bare);
  const { result: hooks, perUnit: hookCpu } = await cpuPer(4000, () => load(4000, 32, webhook), stack.processes());
  const { result: base, perUnit: baseCpu } = await cpuPer(4000, () => load(4000, 32, bare), stack.processes());
  console.log(
    `webhook (verify, parse, record, act): ${hooks.perSecond.toFixed(0)} msg/s, ${fmt(hooks.latencies)}; ${hookCpu}`,
  );
  console.log(
    `bare route on the same server:        ${base.perSecond.toFixed(0)} req/s, ${fmt(base.latencies)}; ${baseCpu}`,
  );
  console.log(`ratio: ${(hooks.perSecond / base.perSecond).toFixed(2)}× the bare route`);
  // A steady 200 msg/s: one request every 5 ms.
  const steady: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 1000 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * 5 - (performance.now() - t0)));
      const t = performance.now();
      await webhook(10_000 + i);
      steady.push(performance.now() - t);
    }),
  );
  console.log(`webhook at a steady 200 msg/s: ${fmt(steady)}`);
  const recorded = await db.webhookEvent.count({ where: { type: "conversation-update" } });
  const transcripts = await db.call.count({
    where: { vapiCallId: { startsWith: "bench-call-" }, transcript: { not: null } },
  });
  await db.$disconnect();
  console.log(
    `messages recorded: ${recorded} of ${300 + 4000 + 1000} sent; calls with a transcript: ${transcripts} of 50`,
  );
}

/**
 * Every message type that carries work, 1,000 of each at 32 in flight, beside the bare route: what
 * each costs the server (issue 16). Unauthorized calls are refused through a local control URL
 * that answers at once; authorized ones are bound to reservations made up front, and then settled.
 */
async function benchWebhookTypes() {
  const N = 1000;
  const db = createDb(stack.databaseUrl);
  const config = appConfig(env);
  const pricing = pricingFromEnv(env);
  const control = http.createServer((_req, res) => res.end("{}"));
  await new Promise<void>((r) => control.listen(0, "127.0.0.1", r));
  const controlUrl = (id: string) => `http://127.0.0.1:${(control.address() as { port: number }).port}/${id}/control`;
  console.log(`making ${N} reservations…`);
  const metadata: unknown[] = [];
  for (let i = 0; i < N; i++) {
    const user = await db.user.create({ data: { email: `types-${i}-${Date.now()}@coach.test`, passwordHash: "x" } });
    await grant(db, {
      userId: user.id,
      credits: 100,
      actor: "bench",
      reason: "bench",
      idempotencyKey: `types:${user.id}`,
    });
    metadata.push(
      (await startCall(db, { id: user.id, suspendedAt: null }, config, pricing)).assistantOverrides.metadata,
    );
  }
  const call = (id: string, meta?: unknown) => ({
    id,
    monitor: { controlUrl: controlUrl(id) },
    assistantOverrides: meta ? { metadata: meta } : {},
  });
  const t = Date.now();
  const kinds: [string, (i: number) => unknown][] = [
    [
      "status-update in-progress, authorized",
      (i) => ({
        message: { type: "status-update", status: "in-progress", timestamp: t, call: call(`paid-${i}`, metadata[i]) },
      }),
    ],
    [
      "status-update in-progress, unauthorized",
      (i) => ({ message: { type: "status-update", status: "in-progress", timestamp: t, call: call(`free-${i}`) } }),
    ],
    [
      "tool-calls (getRemainingCredits)",
      (i) => ({
        message: {
          type: "tool-calls",
          timestamp: t,
          call: call(`paid-${i}`),
          toolCallList: [{ id: `tc-${i}`, type: "function", function: { name: "getRemainingCredits", arguments: {} } }],
        },
      }),
    ],
    [
      "conversation-update",
      (i) => ({
        message: {
          type: "conversation-update",
          timestamp: t + i,
          call: call(`paid-${i}`),
          messages: [{ role: "bot", message: `line ${i}` }],
        },
      }),
    ],
    [
      "conversation-update, 16 turns (~12 kB)",
      (i) => conversationAsVapiSendsIt(call(`paid-${i}`, metadata[i]), t + N + i),
    ],
    [
      "status-update ended, call not seen before",
      (i) => ({
        message: {
          type: "status-update",
          status: "ended",
          endedReason: "customer-ended-call",
          timestamp: t,
          call: call(`unseen-${i}`),
        },
      }),
    ],
    [
      "end-of-call-report (settles a paid call)",
      (i) => ({
        message: {
          type: "end-of-call-report",
          timestamp: t,
          call: call(`paid-${i}`),
          endedReason: "customer-ended-call",
          durationSeconds: 42,
          startedAt: new Date(t).toISOString(),
          endedAt: new Date(t + 42_000).toISOString(),
          analysis: { summary: "ok" },
          artifact: { transcript: "AI: Hi" },
        },
      }),
    ],
    ["unknown type", (i) => ({ message: { type: "language-change-detected", timestamp: t, call: call(`paid-${i}`) } })],
  ];
  const bare = () => post("/api/live", { "content-type": "application/json" }, "{}");
  await load(300, 20, bare);
  const { result: base, perUnit: baseCpu } = await cpuPer(N, () => load(N, 32, bare), stack.processes());
  console.log(
    `${"bare route".padEnd(44)} ${base.perSecond.toFixed(0).padStart(5)} req/s, ${fmt(base.latencies)}; ${baseCpu}`,
  );
  // This machine's speed drifts within a run: each type is compared with the bare route measured
  // just before it, not only with the one at the start.
  for (const [label, make] of kinds) {
    const messages = Array.from({ length: N }, (_, i) => signed(make(i)));
    const { each: bareEach } = await cpuPer(N / 2, () => load(N / 2, 32, bare), stack.processes());
    const { result, perUnit, each } = await cpuPer(
      N,
      () => load(N, 32, (i) => post("/api/vapi/webhook", messages[i].headers, messages[i].body)),
      stack.processes(),
    );
    const above = (each.get("app-1") ?? NaN) - (bareEach.get("app-1") ?? NaN);
    console.log(
      `${label.padEnd(44)} ${result.perSecond.toFixed(0).padStart(5)} msg/s, ${fmt(result.latencies)}; ${perUnit}; app-1 ${above >= 0 ? "+" : ""}${above.toFixed(2)} beside the bare route just before`,
    );
  }
  const pending = await db.webhookEvent.count({ where: { processedAt: null } });
  const settled = await db.call.count({ where: { vapiCallId: { startsWith: "paid-" }, status: "SETTLED" } });
  console.log(`paid calls settled: ${settled} of ${N}; messages not processed: ${pending}`);
  control.close();
  await db.$disconnect();
}

async function benchEnforcement() {
  const N = 40;
  // Unauthorized calls arriving at 10 per second, then all 40 at once.
  const staggered = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      new Promise((r) => setTimeout(r, i * 100)).then(() => admin<{ call: { id: string } }>("POST", "/attack", {})),
    ),
  );
  await new Promise((r) => setTimeout(r, 4_000));
  await reportUnauthorized("at 10 calls/s", staggered);
  const burst = await Promise.all(
    Array.from({ length: N }, () => admin<{ call: { id: string } }>("POST", "/attack", {})),
  );
  await new Promise((r) => setTimeout(r, 4_000));
  await reportUnauthorized(`${N} at once`, burst);
  await benchCutoffs();
}

async function reportUnauthorized(label: string, attacks: { call: { id: string } }[]) {
  const toFirstControl: number[] = [];
  const toEndCall: number[] = [];
  for (const a of attacks) {
    const d = await admin<CallDetails>("GET", `/calls/${a.call.id}`);
    const first = d.deliveries.find((x) => x.type === "status-update" && x.status === "in-progress");
    const control = d.controlLog.filter((c) => c.source === "control-url");
    if (!first || !control.length) continue;
    const sent = Date.parse(first.at) - first.durationMs;
    toFirstControl.push(Date.parse(control[0].at) - sent);
    const end = control.find((c) => c.body.type === "end-call");
    if (end) toEndCall.push(Date.parse(end.at) - sent);
  }
  console.log(
    `unauthorized calls ${label}, first message → spoken notice with endCallAfterSpoken: ${fmt(toFirstControl)}`,
  );
  console.log(
    `unauthorized calls ${label}, first message → end-call (sent 1.5 s after the notice by design): ${fmt(toEndCall)}`,
  );
}

async function benchCutoffs() {
  const db = createDb(stack.databaseUrl);
  const config = appConfig(env);
  const pricing = pricingFromEnv(env);
  const calls: string[] = [];
  for (let i = 0; i < 20; i++) {
    const user = await db.user.create({ data: { email: `bench-${i}-${Date.now()}@coach.test`, passwordHash: "x" } });
    await grant(db, {
      userId: user.id,
      credits: 6 + (i % 5),
      actor: "bench",
      reason: "bench",
      idempotencyKey: `bench:${user.id}`,
    });
    const start = await startCall(db, { id: user.id, suspendedAt: null }, config, pricing);
    const attack = await admin<{ call: { id: string } }>("POST", "/attack", { overrides: start.assistantOverrides });
    calls.push(attack.call.id);
  }
  await new Promise((r) => setTimeout(r, 16_000));
  const lateness: number[] = [];
  for (const id of calls) {
    const d = await admin<CallDetails>("GET", `/calls/${id}`);
    const row = await db.call.findUnique({ where: { vapiCallId: id } });
    if (d.call.endedAt && row?.cutoffAt) lateness.push(Date.parse(d.call.endedAt) - row.cutoffAt.getTime());
  }
  console.log(`paid calls, end − cutoffAt: ${fmt(lateness)}`);
  await db.$disconnect();
}

/**
 * A conversation update as Vapi sends one 16 turns into a call: the call, the assistant, and the
 * conversation twice at message level and twice again under `artifact` (vapi-protocol.md §1.1).
 */
function conversationAsVapiSendsIt(call: Record<string, unknown>, timestamp: number) {
  const said = (k: number) =>
    `Turn ${k}: about a hundred characters of what was said, so that it is as long as a turn.`;
  const messages = Array.from({ length: 16 }, (_, k) => ({
    role: k % 2 ? "user" : "bot",
    message: said(k),
    time: timestamp - (16 - k) * 2000,
    endTime: timestamp - (16 - k) * 2000 + 1500,
    secondsFromStart: k * 2,
    duration: 1500,
  }));
  const messagesOpenAIFormatted = messages.map((m, k) => ({ role: k % 2 ? "user" : "assistant", content: m.message }));
  const assistant = {
    name: "Coach",
    firstMessage: "Hi! What would you like to work on today?",
    model: {
      provider: "openai",
      model: "gpt-4o-mini",
      messages: [{ role: "system", content: "You are a friendly, concise voice coach. ".repeat(12) }],
    },
    voice: { provider: "vapi", voiceId: "Elliot" },
    transcriber: { provider: "deepgram", model: "nova-2", language: "en" },
    serverMessages: ["conversation-update", "end-of-call-report", "status-update", "tool-calls"],
  };
  return {
    message: {
      type: "conversation-update",
      timestamp,
      call: { ...call, orgId: "org-bench", type: "webCall", status: "in-progress", assistantId: "coach-assistant" },
      assistant,
      messages,
      messagesOpenAIFormatted,
      artifact: { messages, messagesOpenAIFormatted },
    },
  };
}
