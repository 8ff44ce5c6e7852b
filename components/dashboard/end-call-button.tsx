"use client";
import { useState } from "react";
import type { ActionResult } from "@/lib/auth/validated-action";
import type { EndCallOutcome } from "@/lib/dashboard/types";

export type EndCall = (raw: unknown) => Promise<ActionResult<EndCallOutcome>>;

/** Two steps, so a stray click never ends someone's call. */
export function EndCallButton({
  callId,
  endCall,
  onOutcome,
}: {
  callId: string;
  endCall: EndCall;
  onOutcome: (ok: boolean, text: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);

  async function confirm() {
    setPending(true);
    const result = await endCall({ callId });
    setPending(false);
    setConfirming(false);
    if (!result.ok) onOutcome(false, result.error);
    else onOutcome(result.data.ok, result.data.detail);
  }

  if (!confirming)
    return (
      <button className="danger" onClick={() => setConfirming(true)}>
        End call
      </button>
    );
  return (
    <span className="dash-confirm">
      <span>End this call now?</span>
      <button className="danger" onClick={confirm} disabled={pending}>
        {pending ? "Ending…" : "Yes, end it"}
      </button>
      <button className="secondary" onClick={() => setConfirming(false)} disabled={pending}>
        Cancel
      </button>
    </span>
  );
}
