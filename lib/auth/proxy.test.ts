import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { config, proxy } from "@/proxy";

// The proxy is the first gate only; pages and routes refuse on their own (lib/dashboard/page-guards.test.ts).
const secret = "proxy-test-secret-of-some-length";
beforeAll(() => {
  process.env.NEXTAUTH_SECRET = secret;
});
const saved = { ...process.env };
afterEach(() => {
  for (const name of ["VAPI_API_URL", "APP_URL", "TRUST_PROXY_HOPS"]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

async function visit(path: string, role?: "USER" | "OPERATOR", headers = new Headers()) {
  if (role)
    headers.set("cookie", `next-auth.session-token=${await encode({ token: { sub: `id-${role}`, role }, secret })}`);
  return proxy(new NextRequest(`http://localhost${path}`, { headers }));
}
const passedOn = (response: Response) => response.headers.get("x-middleware-next") === "1";
/** The request headers Next hands on to the page or route, as the proxy rewrote them. */
function requestHeadersPassedOn(response: Response): Map<string, string> {
  const names = response.headers.get("x-middleware-override-headers")?.split(",") ?? [];
  return new Map(names.map((name) => [name, response.headers.get(`x-middleware-request-${name}`) ?? ""]));
}
const nonceOf = (policy: string | null) => /'nonce-([^']+)'/.exec(policy ?? "")?.[1];

describe("the proxy", () => {
  it("sends a signed-out visitor to sign in, and answers 401 JSON on the API", async () => {
    const page = await visit("/dashboard/users");
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toBe("http://localhost/signin?callbackUrl=%2Fdashboard%2Fusers");
    const api = await visit("/api/dashboard/live-calls");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: "Please sign in." });
    expect((await visit("/coach")).status).toBe(307);
  });

  it("gates an encoded path as the path Next routes it to", async () => {
    expect((await visit("/%64ashboard")).status).toBe(307);
    expect((await visit("/api/%64ashboard/live-calls", "USER")).status).toBe(403);
  });

  it("lets a plain user's dashboard page through, so the page answers with the app's own 403 page", async () => {
    expect(passedOn(await visit("/dashboard", "USER"))).toBe(true);
    expect(passedOn(await visit("/dashboard/users/abc", "USER"))).toBe(true);
  });

  it("refuses a plain user on the dashboard API with 403 JSON, as the routes do", async () => {
    const api = await visit("/api/dashboard/ledger.csv", "USER");
    expect(api.status).toBe(403);
    expect(await api.json()).toEqual({ error: "Operators only." });
  });

  it("lets an operator through", async () => {
    expect(passedOn(await visit("/dashboard", "OPERATOR"))).toBe(true);
    expect(passedOn(await visit("/api/dashboard/live-calls", "OPERATOR"))).toBe(true);
  });

  it("lets anyone through to public pages and routes", async () => {
    for (const path of ["/", "/signin", "/signup", "/coachx", "/api/health", "/api/auth/session"])
      expect(passedOn(await visit(path)), path).toBe(true);
  });
});

describe("the proxy's security headers", () => {
  it("puts a fresh nonce in the policy of every page, and the same policy on the request, where Next finds it", async () => {
    process.env.VAPI_API_URL = "http://localhost:4110";
    const first = await visit("/signin");
    const second = await visit("/signin");
    const policy = first.headers.get("content-security-policy");
    expect(policy).toContain("connect-src 'self' http://localhost:4110 ws://localhost:4110");
    expect(nonceOf(policy)).toMatch(/^[A-Za-z0-9+/]{22}==$/); // 16 random bytes, base64
    expect(nonceOf(second.headers.get("content-security-policy"))).not.toBe(nonceOf(policy));
    expect(requestHeadersPassedOn(first).get("content-security-policy")).toBe(policy);
  });

  it("are on pages, routes, redirects and refusals alike", async () => {
    for (const response of [
      await visit("/"),
      await visit("/api/health"),
      await visit("/coach"),
      await visit("/api/dashboard/live-calls"),
      await visit("/dashboard", "OPERATOR"),
    ]) {
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("permissions-policy")).toBe("microphone=(self), camera=(), geolocation=()");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.has("strict-transport-security")).toBe(false);
    }
  });

  it("allow what Daily needs against real Vapi, and pin HTTPS when APP_URL is https", async () => {
    process.env.VAPI_API_URL = "https://api.vapi.ai";
    process.env.APP_URL = "https://coach.example.com";
    const response = await visit("/coach", "USER");
    expect(response.headers.get("content-security-policy")).toContain(
      "connect-src 'self' https://api.vapi.ai https://*.daily.co",
    );
    expect(response.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
  });

  it("apply to every path but Next's static files and the liveness probe; the webhook only when it carries X-Forwarded-For", () => {
    const [everything, webhook] = config.matcher;
    const matches = (path: string) => new RegExp(`^${everything}$`).test(path);
    for (const path of [
      "/",
      "/coach",
      "/dashboard/users/1",
      "/api/health",
      "/api/dashboard/ledger.csv",
      "/api/vapi/other",
    ])
      expect(matches(path), path).toBe(true);
    for (const path of ["/_next/static/chunks/a.js", "/_next/image", "/favicon.ico", "/api/live", "/api/vapi/webhook"])
      expect(matches(path), path).toBe(false);
    expect(webhook).toEqual({ source: "/api/vapi/webhook", has: [{ type: "header", key: "x-forwarded-for" }] });
  });
});

describe("the proxy and X-Forwarded-For", () => {
  it("with no proxy trusted, drops the client's header, so Next writes the socket address in its place", async () => {
    delete process.env.TRUST_PROXY_HOPS;
    const passed = requestHeadersPassedOn(
      await visit("/signup", undefined, new Headers({ "x-forwarded-for": "203.0.113.9" })),
    );
    expect(passed.has("x-forwarded-for")).toBe(false);
    expect(passed.size).toBeGreaterThan(0);
  });

  it("behind trusted proxies, passes the header on as it came", async () => {
    process.env.TRUST_PROXY_HOPS = "1";
    const passed = requestHeadersPassedOn(
      await visit("/signup", undefined, new Headers({ "x-forwarded-for": "203.0.113.9, 10.0.0.2" })),
    );
    expect(passed.get("x-forwarded-for")).toBe("203.0.113.9, 10.0.0.2");
  });
});
