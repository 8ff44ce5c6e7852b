import { describe, expect, it } from "vitest";
import { clientIp, dropUntrustedForwardedFor, trustProxyHops, trustProxyHopsProblem } from "./client-ip";

const forwardedFor = (value: string) => new Headers({ "x-forwarded-for": value });

describe("the client's address", () => {
  it("with no proxy trusted, is the one entry Next wrote from the socket (proxy.ts dropped the client's)", () => {
    expect(clientIp(forwardedFor("::ffff:127.0.0.1"), 0)).toBe("::ffff:127.0.0.1");
    const headers = forwardedFor("203.0.113.9");
    dropUntrustedForwardedFor(headers, 0);
    expect(headers.has("x-forwarded-for")).toBe(false);
  });

  it("behind N trusted proxies, is the Nth entry from the right: what the client wrote further left is ignored", () => {
    const chain = "6.6.6.6, 198.51.100.4, 10.0.0.2";
    expect(clientIp(forwardedFor(chain), 1)).toBe("10.0.0.2");
    expect(clientIp(forwardedFor(chain), 2)).toBe("198.51.100.4");
    const headers = forwardedFor(chain);
    dropUntrustedForwardedFor(headers, 2);
    expect(headers.get("x-forwarded-for")).toBe(chain);
  });

  it("with fewer entries than proxies, is the furthest one any proxy wrote", () => {
    expect(clientIp(forwardedFor("198.51.100.4, 10.0.0.2"), 3)).toBe("198.51.100.4");
  });

  it("reads next-auth's plain header record, repeated headers, and says unknown when there is nothing", () => {
    expect(clientIp({ "x-forwarded-for": "198.51.100.4, 10.0.0.2" }, 1)).toBe("10.0.0.2");
    expect(clientIp({ "x-forwarded-for": ["6.6.6.6", "10.0.0.2"] }, 1)).toBe("10.0.0.2");
    expect(clientIp({}, 0)).toBe("unknown");
    expect(clientIp(forwardedFor(" , "), 1)).toBe("unknown");
    expect(clientIp(undefined, 0)).toBe("unknown");
  });

  it("keeps a rate-limit key short whatever the header holds", () => {
    expect(clientIp(forwardedFor("x".repeat(300)), 1)).toHaveLength(64);
  });
});

describe("TRUST_PROXY_HOPS", () => {
  it("is 0 unless set, and must be a whole number", () => {
    expect(trustProxyHops({})).toBe(0);
    expect(trustProxyHops({ TRUST_PROXY_HOPS: "2" })).toBe(2);
    expect(trustProxyHopsProblem({ TRUST_PROXY_HOPS: "1" })).toBeNull();
    for (const bad of ["-1", "one", "1.5", ""]) {
      expect(trustProxyHopsProblem({ TRUST_PROXY_HOPS: bad })).toMatch(
        /^TRUST_PROXY_HOPS must be the number of proxies/,
      );
      expect(() => trustProxyHops({ TRUST_PROXY_HOPS: bad })).toThrow(/TRUST_PROXY_HOPS/);
    }
  });
});
