// Sends one request to the webhook over node:http with keep-alive (as scripts/bench-calls.ts does:
// it costs the load generator, which shares the cores with the server, far less than fetch).
import http from "node:http";

export const HANG_MS = 2_000;
const MAX_REPLY_BYTES = 64 * 1024;

export type Outcome = {
  /** An HTTP status, "hang" past HANG_MS, or "error" when the connection failed before any reply. */
  status: number | "hang" | "error";
  reply: string;
  ms: number;
  error?: string;
  /**
   * What the kept-alive connection carried just before, when it was reused ("413 to a chunked
   * body"): a request can hang because of the one before it, which a replay alone cannot show.
   */
  after?: string;
  /** For a hang on a reused connection: the request and the one before it, to send again as a pair. */
  pair?: { previous: WireRequest; request: WireRequest };
};

export type WireRequest = { url: string; headers: Record<string, string>; bytes: Buffer; chunked: boolean };

export const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Each connection's last request, and what `after` says of it. */
const lastOnConnection = new WeakMap<object, { label: string; request: WireRequest }>();

export function send(r: WireRequest, through: http.Agent = agent): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let connection: object | undefined;
    let previous: { label: string; request: WireRequest } | undefined;
    const finish = (o: Omit<Outcome, "ms" | "after" | "pair">) => {
      if (!timer) return;
      clearTimeout(timer);
      timer = undefined;
      if (connection)
        lastOnConnection.set(connection, { label: `${o.status}${r.chunked ? " to a chunked body" : ""}`, request: r });
      const pair = previous && o.status === "hang" ? { pair: { previous: previous.request, request: r } } : {};
      resolve({ ...o, ms: performance.now() - started, ...(previous ? { after: previous.label } : {}), ...pair });
    };
    const headers = r.chunked ? r.headers : { ...r.headers, "content-length": String(r.bytes.length) };
    let request: http.ClientRequest;
    try {
      request = http.request(r.url, { method: "POST", agent: through, headers }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
        });
        response.on("end", () =>
          finish({ status: response.statusCode ?? 0, reply: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", (e) => finish({ status: response.statusCode ?? 0, reply: "", error: e.message }));
      });
    } catch (e) {
      // Node refuses to send some header values: the case is broken, not the server.
      return resolve({ status: "error", reply: "", error: `not sent: ${(e as Error).message}`, ms: 0 });
    }
    timer = setTimeout(() => {
      // After the I/O already waiting (a starved load generator must not call a reply that came a hang).
      setImmediate(() => {
        finish({ status: "hang", reply: "" });
        request.destroy();
      });
    }, HANG_MS);
    request.on("socket", (socket) => {
      connection = socket;
      previous = lastOnConnection.get(socket);
    });
    // A server may answer (413) before it has read the body, and then close: the reply is what counts.
    request.on("error", (e) => finish({ status: "error", reply: "", error: e.message }));
    if (!r.chunked) {
      request.end(r.bytes);
      return;
    }
    for (let at = 0; at < r.bytes.length; at += 64 * 1024) request.write(r.bytes.subarray(at, at + 64 * 1024));
    request.end();
  });
}

/**
 * Sends `previous`, then `request` on the same kept-alive connection (a pool of one): whether a
 * request hangs because of the one before it. `after` on the result says the connection was reused.
 */
export async function sendAfter(previous: WireRequest, request: WireRequest): Promise<Outcome> {
  const one = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await send(previous, one);
    return await send(request, one);
  } finally {
    one.destroy();
  }
}

/** Whether the app answers its liveness route within `timeoutMs`. */
export async function isLive(appUrl: string, timeoutMs: number): Promise<boolean> {
  try {
    return (await fetch(`${appUrl}/api/live`, { signal: AbortSignal.timeout(timeoutMs) })).ok;
  } catch {
    return false;
  }
}
