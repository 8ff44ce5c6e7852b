import { prepared, type Db } from "@/lib/db/client";
import { batched } from "@/lib/db/batched";
import { creditsForSeconds, type Pricing } from "@/lib/credits/pricing";
import type { ToolCall } from "@/lib/vapi/messages";
import type { ToolCallOutcome } from "@/lib/vapi/tool-results";

/** Answers the coach's `getRemainingCredits` tool for the caller of this call; other tools get an error result. */
export async function answerToolCalls(
  db: Db,
  vapiCallId: string | undefined,
  calls: ToolCall[],
  pricing: Pricing,
  now = new Date(),
): Promise<ToolCallOutcome[]> {
  const call = vapiCallId ? await paidCallOf(db, vapiCallId) : undefined;
  return calls.map((tool): ToolCallOutcome => {
    if (tool.name !== "getRemainingCredits") return { toolCallId: tool.id, error: `Unknown tool ${tool.name}.` };
    if (call?.available == null || call.status !== "ACTIVE" || !call.cutoffAt)
      return { toolCallId: tool.id, error: "This call is not a paid call." };
    const secondsLeft = Math.max(0, Math.floor((call.cutoffAt.getTime() - now.getTime()) / 1000));
    const minutes = Math.floor(secondsLeft / 60);
    const left = minutes >= 1 ? `about ${minutes} minute${minutes === 1 ? "" : "s"}` : `${secondsLeft} seconds`;
    return {
      toolCallId: tool.id,
      result: `The caller has ${left} left in this call (worth ${creditsForSeconds(secondsLeft, pricing)} credits), and ${call.available} more credits in their balance.`,
    };
  });
}

type PaidCall = { status: string; cutoffAt: Date | null; available: number | null };

/**
 * The call's status, cutoff and its caller's balance. Plain SQL, and the lookups of tool calls
 * that arrive together go in one statement: the coach may ask on every turn of every call.
 */
const paidCallOf = batched<string, PaidCall | undefined>({
  laneOf: (vapiCallId) => vapiCallId,
  run: async (db, vapiCallIds) => {
    const { rows } = await db.pool.query<PaidCall & { vapiCallId: string }>(
      prepared({
        text: `SELECT c."vapiCallId", c."status", c."cutoffAt", u."available"
             FROM "Call" c LEFT JOIN "User" u ON u."id" = c."userId"
             WHERE c."vapiCallId" = ANY($1::text[])`,
        values: [vapiCallIds],
      }),
    );
    const byId = new Map(rows.map((row) => [row.vapiCallId, row]));
    return vapiCallIds.map((id) => byId.get(id));
  },
});
