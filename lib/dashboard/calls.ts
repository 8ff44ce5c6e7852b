import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import type { Db } from "@/lib/db/client";
import type { CallFlag, CallStatus, Prisma } from "@/lib/generated/prisma/client";
import { maskPersonalData, maskString } from "@/lib/vapi/mask";
import { pageInfo, skipFor } from "./pagination";
import type { CallFilters } from "./schemas";
import { addDays } from "./sql";
import { emailsOf } from "./audit-and-alerts";
import { ENDING_FLAGS, actorUserId, actorWords, endedByOf, endedFromOurSide, type EndedBy } from "./words";

export const CALLS_PAGE_SIZE = 50;

const dayStart = (isoDay: string) => new Date(`${isoDay}T00:00:00.000Z`);

/** The calls endedByOf gives `key` (words.ts): the same rule, as a query. */
function endedByWhere(key: string): Prisma.CallWhereInput {
  if (key === "unauthorized") return { status: "UNAUTHORIZED" };
  const paid = { status: { not: "UNAUTHORIZED" as const } };
  const flag = ENDING_FLAGS.find((f) => f.toLowerCase() === key);
  if (flag) {
    return {
      ...paid,
      flag,
      AND: [
        { OR: [{ endedAt: { not: null } }, { endedReason: { not: null } }] },
        {
          OR: [
            { endedReason: null },
            { endedReason: { startsWith: "assistant-" } },
            { endedReason: "manually-canceled" },
          ],
        },
      ],
    };
  }
  if (!key.startsWith("reason:")) return { id: { in: [] } };
  const endedReason = key.slice("reason:".length);
  return {
    ...paid,
    endedReason,
    ...(endedFromOurSide(endedReason) ? { OR: [{ flag: null }, { flag: { notIn: ENDING_FLAGS } }] } : {}),
  };
}

function callsWhere(f: CallFilters): Prisma.CallWhereInput {
  // An undefined field means "no filter" in Prisma: here that is the intent, one filter per field set.
  return {
    user: f.email ? { email: { contains: f.email, mode: "insensitive" } } : undefined,
    startedAt:
      f.from || f.to
        ? { gte: f.from ? dayStart(f.from) : undefined, lt: f.to ? addDays(dayStart(f.to), 1) : undefined }
        : undefined,
    AND: f.endedBy ? [endedByWhere(f.endedBy)] : undefined,
  };
}

/** Call history, newest first. Dates are UTC days, `to` included. */
export async function listCalls(db: Db, viewer: CurrentUser, filters: CallFilters) {
  assertOperator(viewer);
  const where = callsWhere(filters);
  const [total, calls] = await Promise.all([
    db.call.count({ where }),
    db.call.findMany({
      where,
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      skip: skipFor(filters.page, CALLS_PAGE_SIZE),
      take: CALLS_PAGE_SIZE,
      select: {
        id: true,
        vapiCallId: true,
        status: true,
        flag: true,
        startedAt: true,
        endedAt: true,
        endedReason: true,
        usedSeconds: true,
        creditsCharged: true,
        vapiCost: true,
        user: { select: { id: true, email: true } },
      },
    }),
  ]);
  return { calls, pageInfo: pageInfo(filters.page, CALLS_PAGE_SIZE, total) };
}

/** Who ended the calls so far (words.ts's endedByOf), each once: the "Ended because" filter's options. */
export async function knownEndings(db: Db, viewer: CurrentUser): Promise<EndedBy[]> {
  assertOperator(viewer);
  // One scan with DISTINCT in the database (Prisma's `distinct` would fetch every call first).
  const seen = await db.$queryRaw<
    { status: CallStatus; flag: CallFlag | null; endedReason: string | null; ended: boolean }[]
  >`
    SELECT DISTINCT "status", "flag", "endedReason", "endedAt" IS NOT NULL AS ended FROM "Call"
     WHERE "status" = 'UNAUTHORIZED' OR "endedAt" IS NOT NULL OR "endedReason" IS NOT NULL LIMIT 1000`;
  const byKey = new Map<string, EndedBy>();
  for (const call of seen) {
    const ended = endedByOf({ ...call, endedAt: call.ended ? new Date(0) : null });
    if (ended && !byKey.has(ended.key))
      byKey.set(
        ended.key,
        ended.key === "unauthorized" ? { key: "unauthorized", words: "unauthorized (no valid start)" } : ended,
      );
  }
  return [...byKey.values()].sort((a, b) => a.words.localeCompare(b.words));
}

/**
 * Everything about one call, by our id or by Vapi's: its webhook timeline, its reservation and the
 * ledger entries that billed it, its alerts and what operators did to it. Text shown is masked.
 */
export async function getCallDetail(db: Db, viewer: CurrentUser, idOrVapiCallId: string) {
  assertOperator(viewer);
  const call = await db.call.findFirst({
    where: { OR: [{ id: idOrVapiCallId }, { vapiCallId: idOrVapiCallId }] },
    include: {
      user: { select: { id: true, email: true } },
      reservation: { include: { ledgerEntries: { orderBy: { id: "asc" } } } },
    },
  });
  if (!call) return null;
  const [events, alerts, audit] = await Promise.all([
    db.webhookEvent.findMany({
      where: { vapiCallId: call.vapiCallId },
      orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
      take: 500,
    }),
    db.alert.findMany({ where: { vapiCallId: call.vapiCallId }, orderBy: { createdAt: "asc" } }),
    db.auditLog.findMany({ where: { targetCallId: call.id }, orderBy: { createdAt: "asc" } }),
  ]);
  const entries = call.reservation?.ledgerEntries ?? [];
  const emails = await emailsOf(db, [
    ...entries.map((e) => actorUserId(e.actor)),
    ...audit.map((a) => actorUserId(a.actorId)),
  ]);
  const reservation = call.reservation && {
    ...call.reservation,
    ledgerEntries: entries.map((e) => ({ ...e, actorWords: actorWords(e.actor, emails) })),
  };
  return {
    call: {
      ...call,
      reservation,
      transcript: call.transcript && maskString(call.transcript),
      summary: call.summary && maskString(call.summary),
    },
    events: events.map((e) => ({ ...e, payload: maskPersonalData(e.payload) })),
    alerts,
    audit: audit.map((a) => ({ ...a, actorWords: actorWords(a.actorId, emails) })),
  };
}
export type CallDetail = NonNullable<Awaited<ReturnType<typeof getCallDetail>>>;
