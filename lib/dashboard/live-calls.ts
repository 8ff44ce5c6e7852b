import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Db } from "@/lib/db/client";
import { maskString } from "@/lib/vapi/mask";
import { LAST_LINES, lineFromTranscriptMessage, linesFromMessages, linesFromText } from "./transcript-lines";
import type { LiveCall, LiveCallsSnapshot } from "./types";

const MAX_LIVE_CALLS = 200;

type LatestEvent = {
  vapiCallId: string;
  messages: unknown;
  openAi: unknown;
  role: string | null;
  transcript: string | null;
};

/**
 * What was said lately on each call, from its latest conversation-update or transcript event.
 * Only the tail of the messages leaves the database: payloads run to tens of KB and this is polled.
 */
async function latestLines(db: Db, vapiCallIds: string[]): Promise<Map<string, string[]>> {
  if (vapiCallIds.length === 0) return new Map();
  const tail = `$[last-${LAST_LINES * 2} to last]`;
  const rows = await db.$queryRaw<LatestEvent[]>`
    SELECT DISTINCT ON (e."vapiCallId") e."vapiCallId",
           jsonb_path_query_array(m.msg->'messages', ${tail}::jsonpath) AS messages,
           jsonb_path_query_array(m.msg->'messagesOpenAIFormatted', ${tail}::jsonpath) AS "openAi",
           m.msg->>'role' AS role, m.msg->>'transcript' AS transcript
      FROM "WebhookEvent" e
      CROSS JOIN LATERAL (SELECT COALESCE(e."payload"->'message', e."payload") AS msg) m
     WHERE e."vapiCallId" IN (${Prisma.join(vapiCallIds)})
       AND (e."type" = 'conversation-update' OR e."type" LIKE 'transcript%')
     ORDER BY e."vapiCallId", e."receivedAt" DESC, e."id" DESC`;
  return new Map(
    rows.map((r) => {
      const vapiFormat = linesFromMessages(r.messages);
      const lines = vapiFormat.length ? vapiFormat : linesFromMessages(r.openAi);
      return [r.vapiCallId, lines.length ? lines : lineFromTranscriptMessage(r.role, r.transcript)];
    }),
  );
}

/** Calls running now, longest-running first, with elapsed and remaining time relative to `now`. */
export async function listLiveCalls(db: Db, viewer: CurrentUser, now: Date): Promise<LiveCallsSnapshot> {
  assertOperator(viewer);
  const calls = await db.call.findMany({
    where: { status: "ACTIVE" },
    orderBy: { startedAt: "asc" },
    take: MAX_LIVE_CALLS,
    select: {
      id: true,
      vapiCallId: true,
      startedAt: true,
      cutoffAt: true,
      flag: true,
      endCallSentAt: true,
      transcript: true,
      user: { select: { id: true, email: true } },
    },
  });
  const fromEvents = await latestLines(
    db,
    calls.filter((c) => !c.transcript).map((c) => c.vapiCallId),
  );
  const live: LiveCall[] = calls.map((c) => ({
    id: c.id,
    vapiCallId: c.vapiCallId,
    userId: c.user?.id ?? null,
    email: c.user?.email ?? null,
    startedAt: c.startedAt.toISOString(),
    elapsedSeconds: Math.max(0, Math.floor((now.getTime() - c.startedAt.getTime()) / 1000)),
    remainingSeconds: c.cutoffAt ? Math.floor((c.cutoffAt.getTime() - now.getTime()) / 1000) : null,
    // Payloads are masked when stored, the transcript column is not: mask what we show.
    lastLines: (c.transcript ? linesFromText(c.transcript) : (fromEvents.get(c.vapiCallId) ?? [])).map(maskString),
    flag: c.flag,
    ending: c.flag === "OPERATOR" || c.endCallSentAt !== null,
  }));
  return { now: now.toISOString(), calls: live };
}
