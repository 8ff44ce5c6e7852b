import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Db } from "@/lib/db/client";
import { pageInfo, skipFor, type PageInfo } from "./pagination";
import { containsPattern, num } from "./sql";
import { emailsOf } from "./audit-and-alerts";
import { actorUserId, actorWords } from "./words";

export const USERS_PAGE_SIZE = 25;
export const LEDGER_PAGE_SIZE = 50;

export type UserRow = {
  id: string;
  email: string;
  name: string | null;
  role: "USER" | "OPERATOR";
  available: number;
  held: number;
  suspendedAt: Date | null;
  createdAt: Date;
  lastCallAt: Date | null;
};

/** Newest accounts first; `q` matches email or name anywhere, case-insensitively. */
export async function searchUsers(
  db: Db,
  viewer: CurrentUser,
  o: { q?: string; page: number },
): Promise<{ users: UserRow[]; pageInfo: PageInfo }> {
  assertOperator(viewer);
  const pattern = o.q ? containsPattern(o.q) : null;
  const where = pattern ? Prisma.sql`WHERE u."email" ILIKE ${pattern} OR u."name" ILIKE ${pattern}` : Prisma.empty;
  const [[count], users] = await Promise.all([
    db.$queryRaw<{ total: bigint }[]>`SELECT COUNT(*) AS total FROM "User" u ${where}`,
    db.$queryRaw<UserRow[]>`
      SELECT u."id", u."email", u."name", u."role"::text AS "role", u."available", u."held", u."suspendedAt", u."createdAt",
             last."startedAt" AS "lastCallAt"
        FROM "User" u
        LEFT JOIN LATERAL (
          SELECT c."startedAt" FROM "Call" c WHERE c."userId" = u."id" ORDER BY c."createdAt" DESC LIMIT 1
        ) last ON true
        ${where}
       ORDER BY u."createdAt" DESC, u."id" DESC
       LIMIT ${USERS_PAGE_SIZE} OFFSET ${skipFor(o.page, USERS_PAGE_SIZE)}`,
  ]);
  return { users, pageInfo: pageInfo(o.page, USERS_PAGE_SIZE, num(count?.total)) };
}

/** One account with a page of its ledger (newest first), its recent calls and credit requests, and what operators did to it. */
export async function getUserDetail(db: Db, viewer: CurrentUser, userId: string, ledgerPage: number) {
  assertOperator(viewer);
  const user = await db.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      available: true,
      held: true,
      suspendedAt: true,
      suspendedReason: true,
      createdAt: true,
    },
  });
  if (!user) return null;
  const [ledgerTotal, ledger, calls, audit, creditRequests] = await Promise.all([
    db.ledgerEntry.count({ where: { userId: user.id } }),
    db.ledgerEntry.findMany({
      where: { userId: user.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: skipFor(ledgerPage, LEDGER_PAGE_SIZE),
      take: LEDGER_PAGE_SIZE,
    }),
    db.call.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: {
        id: true,
        status: true,
        startedAt: true,
        endedAt: true,
        usedSeconds: true,
        creditsCharged: true,
        endedReason: true,
        flag: true,
      },
    }),
    db.auditLog.findMany({ where: { targetUserId: user.id }, orderBy: { createdAt: "desc" }, take: 20 }),
    db.creditRequest.findMany({
      where: { userId: user.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 10,
      select: {
        id: true,
        credits: true,
        note: true,
        status: true,
        createdAt: true,
        decisionReason: true,
        ledgerEntry: { select: { availableDelta: true } },
      },
    }),
  ]);
  const emails = await emailsOf(db, [
    ...ledger.map((e) => actorUserId(e.actor)),
    ...audit.map((a) => actorUserId(a.actorId)),
  ]);
  return {
    user,
    ledger: ledger.map((e) => ({ ...e, actorWords: actorWords(e.actor, emails) })),
    ledgerPageInfo: pageInfo(ledgerPage, LEDGER_PAGE_SIZE, ledgerTotal),
    calls,
    audit: audit.map((a) => ({ ...a, actorWords: actorWords(a.actorId, emails) })),
    creditRequests,
  };
}
export type UserDetail = NonNullable<Awaited<ReturnType<typeof getUserDetail>>>;
