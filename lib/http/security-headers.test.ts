import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce, securityHeaders } from "./security-headers";

const directives = (policy: string) => new Map(policy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));

describe("the Content-Security-Policy", () => {
  it("against the emulator allows the app, its nonce and the emulator's origin (fetch and room WebSockets), nothing else", () => {
    const policy = contentSecurityPolicy({
      nonce: "abc123==",
      vapiApiUrl: "http://localhost:4110",
      dev: false,
      https: false,
    });
    expect(policy).toBe(
      [
        "default-src 'self'",
        "script-src 'self' 'nonce-abc123=='",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' http://localhost:4110 ws://localhost:4110",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; "),
    );
  });

  it("against real Vapi adds Vapi's API and what Daily's call machine needs, and no WebSocket to Vapi", () => {
    const policy = directives(
      contentSecurityPolicy({ nonce: "n", vapiApiUrl: "https://api.vapi.ai", dev: false, https: true }),
    );
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-n'", "https://*.daily.co", "'wasm-unsafe-eval'"]);
    expect(policy.get("connect-src")).toEqual([
      "'self'",
      "https://api.vapi.ai",
      "https://*.daily.co",
      "https://*.pluot.blue",
      "wss://*.wss.daily.co",
    ]);
    expect(policy.get("worker-src")).toEqual(["'self'", "blob:"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(true);
  });

  it("never allows inline or eval'd scripts outside `next dev`", () => {
    for (const vapiApiUrl of ["http://localhost:4010", "https://api.vapi.ai"]) {
      const scripts = directives(contentSecurityPolicy({ nonce: "n", vapiApiUrl, dev: false, https: false })).get(
        "script-src",
      );
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts).not.toContain("'unsafe-eval'");
    }
    expect(
      directives(
        contentSecurityPolicy({ nonce: "n", vapiApiUrl: "http://localhost:4010", dev: true, https: false }),
      ).get("script-src"),
    ).toContain("'unsafe-eval'");
  });

  it("uses the origin of a Vapi URL with a path, and wss: for an https emulator", () => {
    const policy = directives(
      contentSecurityPolicy({ nonce: "n", vapiApiUrl: "https://vapi.internal.example/base/", dev: false, https: true }),
    );
    expect(policy.get("connect-src")).toEqual([
      "'self'",
      "https://vapi.internal.example",
      "wss://vapi.internal.example",
    ]);
  });

  it("gets a fresh, unguessable nonce each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});

describe("the other security headers", () => {
  it("limit referrers, powerful features and sniffing, and pin HTTPS only when the app is served over it", () => {
    expect(securityHeaders({ https: false })).toEqual({
      "referrer-policy": "strict-origin-when-cross-origin",
      "permissions-policy": "microphone=(self), camera=(), geolocation=()",
      "x-content-type-options": "nosniff",
    });
    expect(securityHeaders({ https: true })["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  });
});
