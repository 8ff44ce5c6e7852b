"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/validated-action";
import { ActionMessage, refusalText, type Shown } from "./action-message";

type Change = (raw: unknown) => Promise<ActionResult<unknown>>;

/** Suspend an active account or lift a suspension; both ask why, for the audit log. */
export function SuspensionForm(props: {
  userId: string; suspended: boolean; unsuspend: Change;
  suspend: (raw: unknown) => Promise<ActionResult<{ liveCallsEnding: number }>>;
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [shown, setShown] = useState<Shown>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setPending(true);
    setShown(null);
    const input = { userId: props.userId, reason: new FormData(form).get("reason") };
    const result = props.suspended ? await props.unsuspend(input) : await props.suspend(input);
    setPending(false);
    if (!result.ok) return setShown({ ok: false, text: refusalText(result) });
    form.reset();
    const ending = result.data && typeof result.data === "object" && "liveCallsEnding" in result.data ? Number(result.data.liveCallsEnding) : 0;
    setShown({ ok: true, text: props.suspended ? "The suspension is lifted." : `The account is suspended.${ending ? " Their live call is being ended." : ""}` });
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="dash-form">
      <label>{props.suspended ? "Why lift the suspension?" : "Why suspend?"}
        <input name="reason" minLength={3} maxLength={500} required />
      </label>
      <button type="submit" className={props.suspended ? "secondary" : "danger"} disabled={pending}>
        {props.suspended ? "Unsuspend" : "Suspend"}
      </button>
      <ActionMessage shown={shown} />
    </form>
  );
}
