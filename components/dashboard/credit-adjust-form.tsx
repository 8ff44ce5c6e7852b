"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/validated-action";
import { ActionMessage, refusalText, type Shown } from "./action-message";

type Adjusted = { available: number; entryId: string };

/**
 * Grant or deduct credits. The idempotency key comes from the server render of this form: a
 * double submit sends the same key and is applied once; the refresh after success brings a new one.
 */
export function CreditAdjustForm(props: {
  userId: string;
  idempotencyKey: string;
  adjust: (raw: unknown) => Promise<ActionResult<Adjusted>>;
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [shown, setShown] = useState<Shown>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setPending(true);
    setShown(null);
    const result = await props.adjust({
      userId: props.userId,
      idempotencyKey: props.idempotencyKey,
      direction: data.get("direction"),
      credits: data.get("credits"),
      reason: data.get("reason"),
    });
    setPending(false);
    if (!result.ok) return setShown({ ok: false, text: refusalText(result) });
    form.reset();
    setShown({ ok: true, text: `Done. The balance is now ${result.data.available} credits.` });
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="dash-form">
      <label>
        Change
        <select name="direction" defaultValue="grant">
          <option value="grant">Grant (add credits)</option>
          <option value="deduct">Deduct (remove credits)</option>
        </select>
      </label>
      <label>
        Credits
        <input name="credits" type="number" min={1} step={1} required />
      </label>
      <label>
        Reason
        <input name="reason" minLength={3} maxLength={500} required placeholder="Why, for the audit log" />
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Applying…" : "Apply"}
      </button>
      <ActionMessage shown={shown} />
    </form>
  );
}
