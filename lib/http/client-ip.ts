// The address a request came from, for throttles and limits (never for deciding who someone is).
//
// Route handlers cannot see the socket. Next's server writes the socket address into
// X-Forwarded-For only when the request carries none, so a client that sends its own would choose
// its address. Therefore:
// - TRUST_PROXY_HOPS=0 (no proxy in front): proxy.ts drops the incoming header, and Next then
//   writes the socket address in its place: the one entry left.
// - TRUST_PROXY_HOPS=N: each of the N proxies appends the address it was called from, so the
//   client is the Nth entry from the right; entries further left were written by the client.
//   This holds only if the app cannot be reached except through those proxies.

const HEADER = "x-forwarded-for";

type Env = Record<string, string | undefined>;
type RequestHeaders = Headers | Record<string, string | string[] | undefined> | undefined;

/** What is wrong with TRUST_PROXY_HOPS, or null when it is a whole number (or unset: 0). */
export function trustProxyHopsProblem(env: Env = process.env): string | null {
  const value = env.TRUST_PROXY_HOPS;
  if (value === undefined || /^\d+$/.test(value.trim())) return null;
  return `TRUST_PROXY_HOPS must be the number of proxies in front of the app (0 or more), not "${value}".`;
}

export function trustProxyHops(env: Env = process.env): number {
  const problem = trustProxyHopsProblem(env);
  if (problem) throw new Error(problem);
  return Number(env.TRUST_PROXY_HOPS ?? 0);
}

/** For proxy.ts: with no proxy trusted, an X-Forwarded-For on the request was written by the client. */
export function dropUntrustedForwardedFor(headers: Headers, hops = trustProxyHops()): void {
  if (hops === 0) headers.delete(HEADER);
}

function forwardedFor(headers: RequestHeaders): string {
  if (!headers) return "";
  if (headers instanceof Headers) return headers.get(HEADER) ?? "";
  const value = headers[HEADER];
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

export function clientIp(headers: RequestHeaders, hops = trustProxyHops()): string {
  const entries = forwardedFor(headers)
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Fewer entries than hops: every one was written by a trusted proxy, and the leftmost is furthest out.
  const entry = entries.at(-Math.max(hops, 1)) ?? entries[0];
  // Rate-limit keys: an address is at most 45 characters; anything longer was not written by a proxy.
  return entry ? entry.slice(0, 64) : "unknown";
}

/**
 * The same for a request the production server answers itself, before Next (server.ts): with no
 * proxy trusted, the socket's address, which is what Next would have written in that case.
 */
export function nodeClientIp(
  request: { headers: RequestHeaders; socket: { remoteAddress?: string } },
  hops = trustProxyHops(),
): string {
  return hops === 0 ? (request.socket.remoteAddress ?? "unknown") : clientIp(request.headers, hops);
}
