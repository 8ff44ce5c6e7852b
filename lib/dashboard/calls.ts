import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { maskPersonalData, maskString } from "@/lib/vapi/mask";
import { pageInfo, skipFor } from "./pagination";
import type { CallFilters } from "./schemas";
import { addDays } from "./sql";

export const CALLS_PAGE_SIZE = 50;

const dayStart = (isoDay: string) => new Date(`${isoDay}T00:00:00.000Z`);

function callsWhere(f: CallFilters): Prisma.CallWhereInput {
  // An undefined field means "no filter" in Prisma: here that is the intent, one filter per field set.
  return {
    user: f.email ? { email: { contains: f.email, mode: "insensitive" } } : undefined,
    endedReason: f.endedReason,
    startedAt: f.from || f.to ? { gte: f.from ? dayStart(f.from) : undefined, lt: f.to ? addDays(dayStart(f.to), 1) : undefined } : undefined,
  };
}

/** Call history, newest first. Dates are UTC days, `to` included. */
export async function listCalls(db: Db, filters: CallFilters) {
  const where = callsWhere(filters);
  const [total, calls] = await Promise.all([
    db.call.count({ where }),
    db.call.findMany({
      where,
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      skip: skipFor(filters.page, CALLS_PAGE_SIZE),
      take: CALLS_PAGE_SIZE,
      select: {
        id: true, vapiCallId: true, status: true, flag: true, startedAt: true, endedAt: true, endedReason: true,
        usedSeconds: true, creditsCharged: true, vapiCost: true, user: { select: { id: true, email: true } },
      },
    }),
  ]);
  return { calls, pageInfo: pageInfo(filters.page, CALLS_PAGE_SIZE, total) };
}

/** The endedReason values seen so far, for the filter's suggestions. */
export async function knownEndedReasons(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ endedReason: string }[]>`
    SELECT DISTINCT "endedReason" FROM "Call" WHERE "endedReason" IS NOT NULL ORDER BY 1 LIMIT 100`;
  return rows.map((r) => r.endedReason);
}

/**
 * Everything about one call, by our id or by Vapi's: its webhook timeline, its reservation and the
 * ledger entries that billed it, its alerts and what operators did to it. Text shown is masked.
 */
export async function getCallDetail(db: Db, idOrVapiCallId: string) {
  const call = await db.call.findFirst({
    where: { OR: [{ id: idOrVapiCallId }, { vapiCallId: idOrVapiCallId }] },
    include: {
      user: { select: { id: true, email: true } },
      reservation: { include: { ledgerEntries: { orderBy: { id: "asc" } } } },
    },
  });
  if (!call) return null;
  const [events, alerts, audit] = await Promise.all([
    db.webhookEvent.findMany({ where: { vapiCallId: call.vapiCallId }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }], take: 500 }),
    db.alert.findMany({ where: { vapiCallId: call.vapiCallId }, orderBy: { createdAt: "asc" } }),
    db.auditLog.findMany({ where: { targetCallId: call.id }, orderBy: { createdAt: "asc" } }),
  ]);
  return {
    call: {
      ...call,
      transcript: call.transcript && maskString(call.transcript),
      summary: call.summary && maskString(call.summary),
    },
    events: events.map((e) => ({ ...e, payload: maskPersonalData(e.payload) })),
    alerts,
    audit,
  };
}
export type CallDetail = NonNullable<Awaited<ReturnType<typeof getCallDetail>>>;
