import { assertOperator } from "@/lib/auth/roles";
import type { CurrentUser } from "@/lib/auth/session";
import { UserFacingError } from "@/lib/auth/validated-action";
import { requestCallEnd } from "@/lib/calls/end-call";
import type { Db } from "@/lib/db/client";
import { operatorActor } from "./operator";
import type { EndCallOutcome } from "./types";

/**
 * The kill switch. The end request goes out over HTTP, so it cannot share a transaction with the
 * audit row: the row records the attempt and its outcome, failed or not.
 */
export async function endCallAsOperator(db: Db, operator: CurrentUser, callId: string): Promise<EndCallOutcome> {
  assertOperator(operator);
  const call = await db.call.findUnique({
    where: { id: callId },
    select: { id: true, vapiCallId: true, userId: true, status: true },
  });
  if (!call) throw new UserFacingError("No such call.");
  if (call.status !== "ACTIVE") throw new UserFacingError("This call is no longer live.");
  let outcome: EndCallOutcome;
  try {
    const result = await requestCallEnd(db, {
      vapiCallId: call.vapiCallId,
      why: "OPERATOR",
      actor: operatorActor(operator),
    });
    outcome = { ok: result.ok, detail: result.detail };
  } catch (error) {
    console.error(error);
    outcome = { ok: false, detail: "The end request failed on our side; the call may still be running." };
  }
  await db.auditLog.create({
    data: {
      actorId: operator.id,
      action: "CALL_END",
      targetUserId: call.userId,
      targetCallId: call.id,
      reason: "ended by an operator from the live view",
      details: { vapiCallId: call.vapiCallId, ...outcome },
    },
  });
  return outcome;
}
