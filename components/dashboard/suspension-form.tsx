"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/validated-action";
import { ActionMessage, refusalText, type Shown } from "./action-message";

/** Both answer the new suspension state; suspending also says how many live calls it is ending. */
type Change = (raw: unknown) => Promise<ActionResult<{ suspendedAt: Date | null; liveCallsEnding?: number }>>;

/** Suspend an active account or lift a suspension; both ask why, for the audit log. */
export function SuspensionForm(props: { userId: string; suspended: boolean; suspend: Change; unsuspend: Change }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [shown, setShown] = useState<Shown>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setPending(true);
    setShown(null);
    const change = props.suspended ? props.unsuspend : props.suspend;
    const result = await change({ userId: props.userId, reason: new FormData(form).get("reason") });
    setPending(false);
    if (!result.ok) return setShown({ ok: false, text: refusalText(result) });
    form.reset();
    const ending = result.data.liveCallsEnding ? " Their live call is being ended." : "";
    setShown({ ok: true, text: props.suspended ? "The suspension is lifted." : `The account is suspended.${ending}` });
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="dash-form">
      <label>
        {props.suspended ? "Why lift the suspension?" : "Why suspend?"}
        <input name="reason" minLength={3} maxLength={500} required />
      </label>
      <button type="submit" className={props.suspended ? "secondary" : "danger"} disabled={pending}>
        {props.suspended ? "Unsuspend" : "Suspend"}
      </button>
      <ActionMessage shown={shown} />
    </form>
  );
}
