import { isRealVapi } from "@/lib/setup/vapi-target";

// What the Vapi web SDK's media transport (Daily's daily-js) needs in the page when the target is
// real Vapi. daily-js 0.87 loads its call machine from https://c.daily.co/call-machine/… (as a
// <script>, since the page passes avoidEval) and asks https://gs.daily.co for its region; the call
// machine then talks to Daily's API and media servers (docs.daily.co, "Setting up your CSP for
// daily-js"), runs audio workers from blob: URLs, and Vapi switches on Daily's noise cancellation,
// which is WebAssembly.
const DAILY = {
  script: ["https://*.daily.co", "'wasm-unsafe-eval'"],
  connect: ["https://*.daily.co", "https://*.pluot.blue", "wss://*.wss.daily.co"],
  worker: ["'self'", "blob:"],
};

export type PolicyInput = {
  nonce: string;
  /** VAPI_API_URL: the browser calls it (POST /call/web); the emulator's rooms are WebSockets there. */
  vapiApiUrl: string;
  /** `next dev`: React's debugging uses eval, and dev tooling injects styles. */
  dev: boolean;
  https: boolean;
};

const socketOrigin = (url: URL) => `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}`;

export function contentSecurityPolicy({ nonce, vapiApiUrl, dev, https }: PolicyInput): string {
  const vapi = new URL(vapiApiUrl);
  const realVapi = isRealVapi(vapiApiUrl);
  const directives: (string[] | false)[] = [
    ["default-src", "'self'"],
    // Next reads the nonce from this directive (the request's copy) and puts it on its own scripts.
    ["script-src", "'self'", `'nonce-${nonce}'`, ...(dev ? ["'unsafe-eval'"] : []), ...(realVapi ? DAILY.script : [])],
    // Style attributes in server-rendered HTML (recharts' chart containers) need 'unsafe-inline', and
    // so do Next's built-in error pages, whose <style> has no nonce.
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", vapi.origin, ...(realVapi ? DAILY.connect : [socketOrigin(vapi)])],
    realVapi && ["worker-src", ...DAILY.worker],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
    https && ["upgrade-insecure-requests"],
  ];
  return directives
    .filter((d) => d !== false)
    .map((d) => d.join(" "))
    .join("; ");
}

/** The headers that need no nonce. */
export function securityHeaders({ https }: { https: boolean }): Record<string, string> {
  return {
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "microphone=(self), camera=(), geolocation=()",
    "x-content-type-options": "nosniff",
    ...(https ? { "strict-transport-security": "max-age=63072000; includeSubDomains" } : {}),
  };
}

export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
