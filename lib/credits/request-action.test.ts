import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/lib/db/client";
import { freshDb } from "@/test/db";
import { userWithCredits } from "@/test/factories";

// The coach page's "Request credits" server action, as the browser calls it. The session is the one thing faked.
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock("next-auth", () => ({
  getServerSession: async () => (session.userId ? { user: { id: session.userId } } : null),
}));

let db: Db;
let requestCreditsAction: (raw: unknown) => Promise<unknown>;
beforeAll(async () => {
  const fresh = await freshDb();
  db = fresh.db;
  process.env.DATABASE_URL = fresh.url;
  ({ requestCreditsAction } = await import("@/app/coach/actions"));
});

describe("the Request credits action", () => {
  it("refuses a signed-out visitor and records nothing", async () => {
    session.userId = null;
    expect(await requestCreditsAction({ credits: 10, note: "please" })).toEqual({
      ok: false,
      error: "Please sign in.",
    });
    expect(await db.creditRequest.count()).toBe(0);
  });

  it("answers field errors a person can fix", async () => {
    session.userId = (await userWithCredits(db, 0)).id;
    expect(await requestCreditsAction({ credits: "0", note: "" })).toMatchObject({
      ok: false,
      fieldErrors: {
        credits: ["Ask for at least 1 credit."],
        note: ["Tell the operator why (at least 3 characters)."],
      },
    });
  });

  it("records the request for the signed-in user, whatever user id the browser sends", async () => {
    const user = await userWithCredits(db, 0);
    const other = await userWithCredits(db, 0);
    session.userId = user.id;
    expect(
      await requestCreditsAction({ credits: "30", note: "job interview practice", userId: other.id }),
    ).toMatchObject({ ok: true, data: { credits: 30, status: "OPEN" } });
    expect(await db.creditRequest.findMany({ select: { userId: true, credits: true } })).toEqual([
      { userId: user.id, credits: 30 },
    ]);
    expect(await requestCreditsAction({ credits: "30", note: "again" })).toEqual({
      ok: false,
      error: "You already have a request waiting for an operator.",
    });
  });
});
