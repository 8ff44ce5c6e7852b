import http from "node:http";
import https from "node:https";
import type { DeliveryTarget, JsonObject } from "./assistant";
import { delayFor, type FaultRegistry, matchesKey } from "./faults";
import { authHeaders } from "./signing";

export type DeliveryLogEntry = {
  seq: number;
  callId: string;
  type: string;
  status?: string;
  url: string | null;
  outcome: "delivered" | "failed" | "dropped" | "skipped";
  httpStatus?: number;
  error?: string;
  at: string;
  durationMs: number;
  attempt: number;
  fault?: "duplicate" | "deliver-last" | "delayed";
};

export type DeliveryResult = {
  outcome: "delivered" | "failed" | "skipped";
  /** Where it went: with several server URLs, the one whose turn it was (or the next that took the connection). */
  url?: string;
  httpStatus?: number;
  error?: string;
  responseBody?: string;
  durationMs: number;
};

type Envelope = { message: JsonObject };

/**
 * Posts server messages. Messages of one call go out one after another, in the order they were
 * produced, unless a fault says otherwise. No retries without a backoffPlan (§1.4).
 */
export class Deliverer {
  readonly log: DeliveryLogEntry[] = [];
  private seq = 0;
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly heldLast = new Map<
    string,
    { target: DeliveryTarget | undefined; envelope: Envelope; generation: number }[]
  >();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The next turn of each list of server URLs, shared by all calls (a load balancer's round robin). */
  private readonly turns = new Map<string, number>();
  private generation = 0;

  constructor(private readonly faults: FaultRegistry) {}

  enqueue(callId: string, target: DeliveryTarget | undefined, envelope: Envelope): void {
    const faults = this.faults.forCall(callId);
    const { message } = envelope;
    const generation = this.generation;
    if (matchesKey(faults.drop, message)) {
      this.record(callId, message, target, { outcome: "dropped", durationMs: 0 }, 1);
      return;
    }
    const delay = delayFor(faults, message);
    if (delay !== undefined) {
      this.track(sleep(delay).then(() => this.send(callId, target, envelope, "delayed", generation)));
      return;
    }
    if (matchesKey(faults.deliverLast, message)) {
      const held = this.heldLast.get(callId) ?? [];
      held.push({ target, envelope, generation });
      this.heldLast.set(callId, held);
      return;
    }
    const duplicate = matchesKey(faults.duplicate, message);
    this.chain(callId, async () => {
      if (faults.delayMs > 0) await sleep(faults.delayMs);
      await this.send(callId, target, envelope, undefined, generation);
      if (duplicate) await this.send(callId, target, envelope, "duplicate", generation);
    });
  }

  /** The call's last message was enqueued: release what a `deliverLast` fault held back. */
  finish(callId: string): void {
    const held = this.heldLast.get(callId) ?? [];
    this.heldLast.delete(callId);
    for (const { target, envelope, generation } of held) {
      this.chain(callId, () => this.send(callId, target, envelope, "deliver-last", generation));
    }
  }

  /** Outside the call's queue and faults: for admin `trigger`, which reports the receiver's answer. */
  deliverNow(callId: string, target: DeliveryTarget | undefined, envelope: Envelope): Promise<DeliveryResult> {
    return this.send(callId, target, envelope);
  }

  /** Resolves once nothing is queued or in flight (for tests and `reset`). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Forgets the log and abandons everything not yet sent (reset, shutdown). */
  reset(): void {
    this.generation += 1;
    this.log.length = 0;
    this.tails.clear();
    this.heldLast.clear();
  }

  private chain(callId: string, job: () => Promise<unknown>): void {
    const previous = this.tails.get(callId) ?? Promise.resolve();
    const next = previous.then(job, job);
    this.tails.set(callId, next);
    this.track(next);
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async send(
    callId: string,
    target: DeliveryTarget | undefined,
    envelope: Envelope,
    fault?: DeliveryLogEntry["fault"],
    generation = this.generation,
  ): Promise<DeliveryResult> {
    if (!target) {
      const result: DeliveryResult = { outcome: "skipped", error: "no server url", durationMs: 0 };
      this.record(callId, envelope.message, target, result, 1, fault);
      return result;
    }
    const body = JSON.stringify(envelope);
    const plan = target.backoffPlan;
    const maxAttempts = 1 + (plan?.maxRetries ?? 0);
    let result: DeliveryResult = { outcome: "skipped", error: "abandoned by reset", durationMs: 0 };
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      if (generation !== this.generation) return result;
      result = await this.post(target, body, callId);
      this.record(callId, envelope.message, target, result, attempt, fault);
      if (result.outcome === "delivered" || !plan || attempt === maxAttempts) break;
      if (result.httpStatus !== undefined && plan.excludedStatusCodes?.includes(result.httpStatus)) break;
      const factor = plan.type === "exponential" ? 2 ** (attempt - 1) : 1;
      await sleep(plan.baseDelaySeconds * 1000 * factor);
    }
    return result;
  }

  /**
   * One attempt. With several URLs it goes to the next in turn; one that refuses the connection
   * (an instance that is down) passes it to the next, as a load balancer would. A request that
   * reached an instance is never sent to another: it may have been acted on.
   */
  private async post(target: DeliveryTarget, body: string, callId: string): Promise<DeliveryResult> {
    const { urls } = target;
    const key = urls.join(" ");
    const turn = this.turns.get(key) ?? 0;
    if (urls.length > 1) this.turns.set(key, (turn + 1) % urls.length);
    let attempt: Awaited<ReturnType<typeof post>> = { result: { outcome: "skipped", durationMs: 0 }, refused: false };
    for (let k = 0; k < urls.length && (k === 0 || attempt.refused); k += 1)
      attempt = await post(urls[(turn + k) % urls.length], target, body, callId);
    return attempt.result;
  }

  private record(
    callId: string,
    message: JsonObject,
    target: DeliveryTarget | undefined,
    result: Omit<DeliveryResult, "outcome"> & { outcome: DeliveryLogEntry["outcome"] },
    attempt: number,
    fault?: DeliveryLogEntry["fault"],
  ): void {
    this.log.push({
      seq: ++this.seq,
      callId,
      type: String(message.type),
      ...(typeof message.status === "string" ? { status: message.status } : {}),
      url: result.url ?? target?.urls[0] ?? null,
      outcome: result.outcome,
      ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
      ...(result.error ? { error: result.error } : {}),
      at: new Date().toISOString(),
      durationMs: result.durationMs,
      attempt,
      ...(fault ? { fault } : {}),
    });
  }
}

// node:http with keep-alive rather than fetch: at a thousand live calls the emulator sends some
// 500 messages a second on the cores the app runs on, and fetch costs about twice the CPU (and
// garbage) per request. Idle sockets are closed before a server's usual 5 s keep-alive timeout,
// so a message is not written to a socket the server is closing. All of them are kept until then:
// with the default of 256 idle sockets, the rest were closed after each answer and opened again a
// moment later, hundreds of new connections a second at a thousand calls.
const agentOptions = { keepAlive: true, timeout: 4_000, maxFreeSockets: Infinity };
const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };

function post(
  url: string,
  target: DeliveryTarget,
  body: string,
  callId: string,
): Promise<{ result: DeliveryResult; refused: boolean }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: Omit<DeliveryResult, "url" | "durationMs">, refused = false) => {
      if (!timer) return;
      clearTimeout(timer);
      timer = undefined;
      resolve({ result: { ...result, url, durationMs: Date.now() - started }, refused });
    };
    let request: http.ClientRequest;
    try {
      const { protocol } = new URL(url);
      request = (protocol === "https:" ? https : http).request(url, {
        method: "POST",
        agent: agents[protocol as keyof typeof agents],
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "x-call-id": callId,
          ...target.headers,
          ...authHeaders(target.auth, body),
        },
      });
    } catch (error) {
      resolve({ result: { outcome: "failed", url, error: describeError(error), durationMs: 0 }, refused: false });
      return;
    }
    timer = setTimeout(() => {
      settle({ outcome: "failed", error: `timed out after ${target.timeoutSeconds}s` });
      request.destroy();
    }, target.timeoutSeconds * 1000);
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => settle({ outcome: "failed", error: error.message }));
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        settle({
          outcome: status >= 200 && status < 300 ? "delivered" : "failed",
          httpStatus: status,
          responseBody: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    request.on("error", (error) => settle({ outcome: "failed", error: describeError(error) }, refused(error)));
    request.end(body);
  });
}

/** Nothing listens there: the request never reached a server (on each address tried, when there were several). */
function refused(error: unknown): boolean {
  const { code, errors } = error as { code?: string; errors?: { code?: string }[] };
  if (code === "ECONNREFUSED") return true;
  return !!errors?.length && errors.every((e) => e.code === "ECONNREFUSED");
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
