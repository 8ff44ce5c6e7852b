"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/validated-action";

type Ask = (raw: unknown) => Promise<ActionResult<unknown>>;

/** "Request credits": an amount and a note for the operators; the page then shows the open request. */
export function CreditRequestForm({
  ask,
  suggested,
  creditsPerMinute,
}: {
  ask: Ask;
  suggested: number;
  creditsPerMinute: number;
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<{ text: string; fields: Record<string, string[]> } | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await ask({ credits: data.get("credits"), note: data.get("note") });
    setPending(false);
    if (!result.ok) return setError({ text: result.error, fields: result.fieldErrors ?? {} });
    router.refresh();
  }

  const fieldError = (name: "credits" | "note") => {
    const text = error?.fields[name]?.[0];
    return text ? (
      <p id={`credit-request-${name}-error`} className="error" role="alert">
        {text}
      </p>
    ) : null;
  };
  const describedBy = (name: "credits" | "note") =>
    error?.fields[name]?.length ? `credit-request-${name}-error` : undefined;

  return (
    <form onSubmit={submit} aria-label="Request credits">
      <label>
        Credits ({creditsPerMinute} per minute)
        <input
          name="credits"
          type="number"
          min={1}
          step={1}
          defaultValue={suggested}
          required
          aria-invalid={!!describedBy("credits")}
          aria-describedby={describedBy("credits")}
        />
      </label>
      {fieldError("credits")}
      <label>
        Note for the operator
        <textarea
          name="note"
          rows={2}
          minLength={3}
          maxLength={500}
          required
          placeholder="What you want to use the coach for"
          aria-invalid={!!describedBy("note")}
          aria-describedby={describedBy("note")}
        />
      </label>
      {fieldError("note")}
      {error && Object.keys(error.fields).length === 0 && (
        <p className="error" role="alert">
          {error.text}
        </p>
      )}
      <button type="submit" className="secondary" disabled={pending}>
        {pending ? "Sending…" : "Request credits"}
      </button>
    </form>
  );
}
