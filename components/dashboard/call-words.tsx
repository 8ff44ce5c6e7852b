import type { CallFlag, CallStatus } from "@/lib/generated/prisma/enums";
import { CALL_FLAG_WORDS, CALL_STATUS_WORDS, endedByOf } from "@/lib/dashboard/words";

type CallEnd = { status: CallStatus; flag: CallFlag | null; endedAt: Date | string | null; endedReason: string | null };

/** Who ended the call, in our words; Vapi's own endedReason on hover. */
export function EndedBy({ call }: { call: CallEnd }) {
  const ended = endedByOf(call);
  if (!ended) return <span className="muted">—</span>;
  return <span title={call.endedReason ? `Vapi: ${call.endedReason}` : undefined}>{ended.words}</span>;
}

/** The call's status, and its flag if it has one, in words. */
export function CallStatusPills({ call }: { call: { status: CallStatus; flag: CallFlag | null } }) {
  return (
    <>
      <span className="pill">{CALL_STATUS_WORDS[call.status]}</span>
      {call.flag && (
        <>
          {" "}
          <span className="pill dash-bad">{CALL_FLAG_WORDS[call.flag]}</span>
        </>
      )}
    </>
  );
}
