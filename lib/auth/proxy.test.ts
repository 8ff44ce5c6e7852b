import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { proxy } from "@/proxy";

// The proxy is the first gate only; pages and routes refuse on their own (lib/dashboard/page-guards.test.ts).
const secret = "proxy-test-secret-of-some-length";
beforeAll(() => {
  process.env.NEXTAUTH_SECRET = secret;
});

async function visit(path: string, role?: "USER" | "OPERATOR") {
  const headers = new Headers();
  if (role) headers.set("cookie", `next-auth.session-token=${await encode({ token: { sub: `id-${role}`, role }, secret })}`);
  return proxy(new NextRequest(`http://localhost${path}`, { headers }));
}
const passedOn = (response: Response) => response.headers.get("x-middleware-next") === "1";

describe("the proxy", () => {
  it("sends a signed-out visitor to sign in, and answers 401 JSON on the API", async () => {
    const page = await visit("/dashboard/users");
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toBe("http://localhost/signin?callbackUrl=%2Fdashboard%2Fusers");
    const api = await visit("/api/dashboard/live-calls");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: "Please sign in." });
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
});
