"use client";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/validated-action";
import { ActionMessage, refusalText, type Shown } from "./action-message";

type Decision = { status: "APPROVED" | "DECLINED"; grantedCredits: number | null; available: number };
type Decide = (raw: unknown) => Promise<ActionResult<Decision>>;

/**
 * Approve (grant the credits, the amount asked for unless changed) or decline one request; both ask
 * why. The outcome replaces the form; the list is not refreshed under the operator's eyes, so the
 * request and what was done to it stay where they were until the next visit.
 */
export function CreditRequestDecision(props: { requestId: string; asked: number; approve: Decide; decline: Decide }) {
  const [pending, setPending] = useState(false);
  const [shown, setShown] = useState<Shown>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const data = new FormData(event.currentTarget);
    const approving = submitter?.value !== "decline";
    setPending(true);
    setShown(null);
    const result = approving
      ? await props.approve({ requestId: props.requestId, credits: data.get("credits"), reason: data.get("reason") })
      : await props.decline({ requestId: props.requestId, reason: data.get("reason") });
    setPending(false);
    if (!result.ok) return setShown({ ok: false, text: refusalText(result) });
    setShown({
      ok: true,
      text:
        result.data.status === "APPROVED"
          ? `Approved: ${result.data.grantedCredits} credits granted. The balance is now ${result.data.available}.`
          : "Declined. The user sees your reason.",
    });
  }

  if (shown?.ok) return <ActionMessage shown={shown} />;
  return (
    <form onSubmit={submit} className="dash-form">
      <label>
        Credits to grant
        <input name="credits" type="number" min={1} step={1} defaultValue={props.asked} required />
      </label>
      <label>
        Reason (the user sees it)
        <input name="reason" minLength={3} maxLength={500} required />
      </label>
      <button type="submit" name="decision" value="approve" disabled={pending}>
        Approve
      </button>
      <button type="submit" name="decision" value="decline" className="danger" formNoValidate disabled={pending}>
        Decline
      </button>
      <ActionMessage shown={shown} />
    </form>
  );
}
