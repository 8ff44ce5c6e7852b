import { randomInt } from "node:crypto";
import { REJECTED_BY_SOURCE } from "@/lib/calls/inbox";
import { appUrl, EMULATOR_PORT } from "./support/env";
import { test, expect } from "./support/fixtures";

// What the browser is told to refuse, and whose address the app believes. Every test in the suite
// also fails on a CSP violation in any of its pages (cspViolations in support/fixtures.ts).

test("pages carry the policy with a fresh nonce, and every inline script Next writes carries it", async ({ page }) => {
  const nonces = new Set<string>();
  for (const path of ["/", "/signin", "/signup"]) {
    const response = await page.goto(path);
    const headers = response!.headers();
    const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"])?.[1];
    expect(nonce, path).toMatch(/^[A-Za-z0-9+/]{22}==$/); // 16 random bytes, base64
    nonces.add(nonce!);
    expect(headers["content-security-policy"]).toContain(
      `connect-src 'self' http://localhost:${EMULATOR_PORT} ws://localhost:${EMULATOR_PORT}`,
    );
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers).toMatchObject({
      "referrer-policy": "strict-origin-when-cross-origin",
      "permissions-policy": "microphone=(self), camera=(), geolocation=()",
      "x-content-type-options": "nosniff",
    });
    const inline = await page
      .locator("script:not([src]):not([type])")
      .evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
    expect(inline.length, path).toBeGreaterThan(0);
    expect(new Set(inline), path).toEqual(new Set([nonce]));
  }
  expect(nonces.size).toBe(3);
});

test("routes carry the headers too", async () => {
  const response = await fetch(`${appUrl}/api/health`);
  expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
});

test("with no trusted proxy (TRUST_PROXY_HOPS unset), a forged X-Forwarded-For does not choose the address", async ({
  db,
}) => {
  const forged = `203.0.113.${randomInt(1, 255)}`;
  const response = await fetch(`${appUrl}/api/vapi/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forged },
    body: JSON.stringify({ message: { type: "status-update", status: "in-progress" } }),
  });
  expect(response.status).toBe(401);
  const counted = (await db.rateLimitWindow.findMany({ where: { key: { startsWith: REJECTED_BY_SOURCE } } })).map((w) =>
    w.key.slice(REJECTED_BY_SOURCE.length),
  );
  expect(counted).not.toContain(forged);
  expect(counted).toContainEqual(expect.stringMatching(/^(::1|127\.0\.0\.1|::ffff:127\.0\.0\.1)$/));
});
