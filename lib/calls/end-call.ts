import type { Db } from "@/lib/db/client";
import type { CallFlag } from "@/lib/generated/prisma/client";
import { sayOnCall } from "@/lib/vapi/control";
import { END_AFTER_NOTICE_MS } from "./timing";

const NOTICES = {
  OPERATOR: "An operator has ended this call. Goodbye.",
  TAMPER: "This call was changed in a way Coach Call does not allow, so it is ending now. Goodbye.",
  SUSPENDED: "This Coach Call account has been suspended, so the call is ending now. Goodbye.",
} as const satisfies Partial<Record<CallFlag, string>>;

/** Ends a live call on our side's request: a short spoken notice now, end-call from the enforcer a moment later. */
export async function requestCallEnd(
  db: Db,
  r: { vapiCallId: string; why: keyof typeof NOTICES; actor: string },
  now = new Date(),
) {
  const call = await db.call.findUnique({ where: { vapiCallId: r.vapiCallId } });
  if (!call) return { ok: false, detail: "No such call." };
  if (call.endedAt) return { ok: false, detail: "The call has already ended." };
  if (!call.controlUrl) return { ok: false, detail: "This call has no control URL, so it cannot be ended from here." };
  await db.call.updateMany({
    where: { id: call.id, endCallSentAt: null },
    data: { flag: call.flag ?? r.why, endCallDueAt: new Date(now.getTime() + END_AFTER_NOTICE_MS) },
  });
  const said = await sayOnCall(call.controlUrl, NOTICES[r.why], { endCallAfterSpoken: true });
  return said.ok
    ? { ok: true, detail: "Ending the call: the caller hears a short notice, then the call ends." }
    : { ok: true, detail: `The notice could not be spoken (${said.error ?? "no answer"}); the call is being ended.` };
}
