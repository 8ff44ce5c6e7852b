import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import { UserFacingError } from "@/lib/auth/validated-action";
import { adjust } from "@/lib/credits/ledger";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { emailsOf } from "./audit-and-alerts";
import { operatorActor } from "./operator";
import { pageInfo, skipFor } from "./pagination";
import type { ApproveCreditRequestInput, DeclineCreditRequestInput } from "./schemas";

export const OPEN_REQUESTS_PAGE_SIZE = 25;
const RECENT_DECISIONS = 20;

const noSuchRequest = () => new UserFacingError("No such credit request.");
const alreadyDecided = (status: "APPROVED" | "DECLINED") =>
  new UserFacingError(
    status === "APPROVED" ? "This request was already approved." : "This request was already declined.",
  );

export type Decision = { status: "APPROVED" | "DECLINED"; grantedCredits: number | null; available: number };

/**
 * Approves a request: a GRANT ledger entry with the operator's reason, keyed by the request, so a
 * double submit grants once. The request's decision and its audit row commit with the entry; a
 * request declined meanwhile rolls the grant back.
 */
export async function approveCreditRequest(
  db: Db,
  operator: CurrentUser,
  input: ApproveCreditRequestInput,
  now = new Date(),
): Promise<Decision> {
  assertOperator(operator);
  const request = await db.creditRequest.findUnique({
    where: { id: input.requestId },
    select: { id: true, userId: true, credits: true, status: true },
  });
  if (!request) throw noSuchRequest();
  if (request.status === "DECLINED") throw alreadyDecided("DECLINED");
  const entry = await adjust(
    db,
    {
      userId: request.userId,
      credits: input.credits,
      actor: operatorActor(operator),
      reason: input.reason,
      idempotencyKey: `credit-request:${request.id}`,
    },
    async (tx, written) => {
      await decide(tx, request.id, {
        status: "APPROVED",
        decidedById: operator.id,
        decidedAt: now,
        decisionReason: input.reason,
        ledgerEntryId: written.id,
      });
      await tx.auditLog.create({
        data: {
          actorId: operator.id,
          action: "CREDIT_REQUEST_APPROVE",
          targetUserId: request.userId,
          reason: input.reason,
          details: {
            creditRequestId: request.id,
            requested: request.credits,
            credits: input.credits,
            ledgerEntryId: written.id.toString(),
          },
        },
      });
    },
  );
  const { available } = await db.user.findUniqueOrThrow({ where: { id: request.userId }, select: { available: true } });
  return { status: "APPROVED", grantedCredits: entry.availableDelta, available };
}

/** Declines a request with a reason the user sees; the decision and its audit row commit together, once. */
export async function declineCreditRequest(
  db: Db,
  operator: CurrentUser,
  input: DeclineCreditRequestInput,
  now = new Date(),
): Promise<Decision> {
  assertOperator(operator);
  return db.$transaction(async (tx) => {
    const request = await tx.creditRequest.findUnique({
      where: { id: input.requestId },
      select: { userId: true, credits: true, status: true },
    });
    if (!request) throw noSuchRequest();
    const decided = await decide(
      tx,
      input.requestId,
      { status: "DECLINED", decidedById: operator.id, decidedAt: now, decisionReason: input.reason },
      "DECLINED",
    );
    if (decided) {
      await tx.auditLog.create({
        data: {
          actorId: operator.id,
          action: "CREDIT_REQUEST_DECLINE",
          targetUserId: request.userId,
          reason: input.reason,
          details: { creditRequestId: input.requestId, requested: request.credits },
        },
      });
    }
    const { available } = await tx.user.findUniqueOrThrow({
      where: { id: request.userId },
      select: { available: true },
    });
    return { status: "DECLINED", grantedCredits: null, available };
  });
}

/**
 * Moves an OPEN request to its decision; the conditional update waits for a concurrent decision
 * and then sees it. True when this call decided it; false when it already had the decision `same`
 * (a double submit); otherwise refuses.
 */
async function decide(
  tx: Prisma.TransactionClient,
  id: string,
  data: Prisma.CreditRequestUncheckedUpdateManyInput & { status: Decision["status"] },
  same?: Decision["status"],
) {
  const changed = await tx.creditRequest.updateMany({ where: { id, status: "OPEN" }, data });
  if (changed.count === 1) return true;
  const now = await tx.creditRequest.findUnique({ where: { id }, select: { status: true } });
  if (!now) throw noSuchRequest();
  if (now.status !== "OPEN" && now.status === same) return false;
  throw alreadyDecided(now.status === "OPEN" ? data.status : now.status);
}

/** Open requests, oldest first (a page), and the latest decisions, with the emails they mention. */
export async function listCreditRequests(db: Db, viewer: CurrentUser, page: number) {
  assertOperator(viewer);
  const [total, open, decided] = await Promise.all([
    db.creditRequest.count({ where: { status: "OPEN" } }),
    db.creditRequest.findMany({
      where: { status: "OPEN" },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      skip: skipFor(page, OPEN_REQUESTS_PAGE_SIZE),
      take: OPEN_REQUESTS_PAGE_SIZE,
      include: { user: { select: { email: true, available: true, held: true, suspendedAt: true } } },
    }),
    db.creditRequest.findMany({
      where: { status: { not: "OPEN" } },
      orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
      take: RECENT_DECISIONS,
      include: { user: { select: { email: true } }, ledgerEntry: { select: { availableDelta: true } } },
    }),
  ]);
  const deciders = await emailsOf(
    db,
    decided.map((r) => r.decidedById),
  );
  return {
    open,
    openPageInfo: pageInfo(page, OPEN_REQUESTS_PAGE_SIZE, total),
    decided: decided.map(({ ledgerEntry, ...r }) => ({
      ...r,
      grantedCredits: ledgerEntry?.availableDelta ?? null,
      decidedByEmail: r.decidedById ? (deciders.get(r.decidedById) ?? null) : null,
    })),
  };
}
