import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import { pageInfo, skipFor } from "./pagination";
import { actorUserId, actorWords } from "./words";

export const AUDIT_PAGE_SIZE = 50;
export const ALERTS_PAGE_SIZE = 50;

/** Emails for the ids a page mentions, in one query (AuditLog and Alert keep ids, not relations). */
export async function emailsOf(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, email: true } });
  return new Map(users.map((u) => [u.id, u.email]));
}

/** Every operator action (and the tamper check's suspensions), newest first: who, what, when, why. */
export async function listAudit(db: Db, viewer: CurrentUser, page: number) {
  assertOperator(viewer);
  const [total, rows] = await Promise.all([
    db.auditLog.count(),
    db.auditLog.findMany({
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: skipFor(page, AUDIT_PAGE_SIZE),
      take: AUDIT_PAGE_SIZE,
    }),
  ]);
  const emails = await emailsOf(
    db,
    rows.flatMap((r) => [actorUserId(r.actorId), r.targetUserId]),
  );
  return {
    entries: rows.map((r) => ({
      ...r,
      actorWords: actorWords(r.actorId, emails),
      targetEmail: r.targetUserId ? (emails.get(r.targetUserId) ?? null) : null,
    })),
    pageInfo: pageInfo(page, AUDIT_PAGE_SIZE, total),
  };
}

export async function listAlerts(db: Db, viewer: CurrentUser, page: number) {
  assertOperator(viewer);
  const [total, rows] = await Promise.all([
    db.alert.count(),
    db.alert.findMany({
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: skipFor(page, ALERTS_PAGE_SIZE),
      take: ALERTS_PAGE_SIZE,
    }),
  ]);
  const emails = await emailsOf(
    db,
    rows.map((r) => r.userId),
  );
  return {
    alerts: rows.map((r) => ({ ...r, email: r.userId ? (emails.get(r.userId) ?? null) : null })),
    pageInfo: pageInfo(page, ALERTS_PAGE_SIZE, total),
  };
}
