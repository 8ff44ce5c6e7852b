import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";
import { dashboardApiRoutes, dashboardPages, samplePath } from "./protected-endpoints";

// Pages and routes check who asks themselves, not only behind proxy.ts: called directly here,
// with the proxy out of the way, each must refuse. The session is the one thing faked.
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock("next-auth", () => ({
  getServerSession: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
vi.mock("@/lib/calls/end-call", () => ({ requestCallEnd: vi.fn() }));

type Page = (props: {
  params: Promise<Record<string, string>>;
  searchParams: Promise<Record<string, string>>;
}) => Promise<unknown>;
type Route = (request: NextRequest) => Promise<Response>;

const fileOf = (pattern: string, file: string) => path.resolve("app", `.${pattern}`, file);
const props = { params: Promise.resolve({ id: "sample-id" }), searchParams: Promise.resolve({}) };
const digestOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "rendered",
    (e: { digest?: string }) => e.digest ?? String(e),
  );

let db: Db;
let plainUserId: string;
let suspendedOperatorId: string;
beforeAll(async () => {
  const fresh = await freshDb();
  db = fresh.db;
  process.env.DATABASE_URL = fresh.url;
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "1";
  plainUserId = (await userWithCredits(db, 0)).id;
  const suspended = await userWithCredits(db, 0, { role: "OPERATOR" });
  await db.user.update({ where: { id: suspended.id }, data: { suspendedAt: new Date(), suspendedReason: "test" } });
  suspendedOperatorId = suspended.id;
});

describe("dashboard pages and the layout", () => {
  const renderers = [
    ...dashboardPages.map((p) => ({
      name: p,
      path: samplePath(p),
      load: async () => (await import(fileOf(p, "page.tsx"))).default as Page,
    })),
    {
      name: "layout",
      path: "/dashboard",
      load: async () => (await import(fileOf("/dashboard", "layout.tsx"))).default as Page,
    },
  ];

  it("send a signed-out visitor to sign in, and back afterwards", async () => {
    session.userId = null;
    for (const r of renderers) {
      const callbackUrl = encodeURIComponent(r.path);
      expect(await digestOf((await r.load())({ ...props, children: null } as never)), r.name).toMatch(
        new RegExp(
          `^NEXT_REDIRECT;replace;/signin\\?callbackUrl=${callbackUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")};307;`,
        ),
      );
    }
  });

  it("load their data for an operator", async () => {
    const operator = await userWithCredits(db, 0, { role: "OPERATOR" });
    const user = await userWithCredits(db, 5);
    const call = await db.call.create({
      data: { vapiCallId: "vapi-page-test", userId: user.id, status: "UNAUTHORIZED" },
    });
    session.userId = operator.id;
    for (const r of renderers) {
      const id = r.name.startsWith("/dashboard/users/") ? user.id : call.id;
      const page = (await r.load())({ ...props, params: Promise.resolve({ id }), children: null } as never);
      expect(await digestOf(page), r.name).toBe("rendered");
    }
  });

  for (const who of ["a plain user", "a suspended operator"] as const) {
    it(`refuse ${who} with 403`, async () => {
      session.userId = who === "a plain user" ? plainUserId : suspendedOperatorId;
      for (const r of renderers) {
        expect(await digestOf((await r.load())({ ...props, children: null } as never)), r.name).toBe(
          "NEXT_HTTP_ERROR_FALLBACK;403",
        );
      }
    });
  }
});

describe("dashboard API routes", () => {
  const refused = [
    { who: "signed out", id: () => null, status: 401, error: "Please sign in." },
    { who: "a plain user", id: () => plainUserId, status: 403, error: "Operators only." },
    { who: "a suspended operator", id: () => suspendedOperatorId, status: 403, error: "This account is suspended." },
  ];
  for (const { who, id, status, error } of refused) {
    it(`answer ${status} JSON to ${who}`, async () => {
      session.userId = id();
      for (const r of dashboardApiRoutes) {
        const { GET } = (await import(fileOf(r.path, "route.ts"))) as { GET: Route };
        const response = await GET(new NextRequest(`http://localhost${r.path}${r.query}`));
        expect(response.status, r.path).toBe(status);
        expect(await response.json(), r.path).toEqual({ error });
      }
    });
  }
});
