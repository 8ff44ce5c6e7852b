"use client";
import "@/components/zod-without-eval";
import { useState, type FormEvent } from "react";
import { LedgerCsvRange } from "@/lib/dashboard/schemas";

type Field = "from" | "to";

/**
 * A plain GET form: the browser downloads the streamed CSV (Content-Disposition: attachment). A
 * range the route would refuse is caught here first and shown beside its field, not as the route's JSON.
 */
export function LedgerExportForm({ from, to }: { from: string; to: string }) {
  const [error, setError] = useState<{ field: Field; text: string } | null>(null);

  function check(event: FormEvent<HTMLFormElement>) {
    const data = new FormData(event.currentTarget);
    const parsed = LedgerCsvRange.safeParse({ from: data.get("from"), to: data.get("to") });
    if (parsed.success) return setError(null);
    event.preventDefault();
    const issue = parsed.error.issues[0];
    setError({ field: issue.path[0] === "from" ? "from" : "to", text: issue.message });
  }

  const fieldProps = (field: Field) =>
    error?.field === field ? { "aria-invalid": true, "aria-describedby": "ledger-csv-error" } : {};
  const message = (field: Field) =>
    error?.field === field ? (
      <span id="ledger-csv-error" role="alert" className="error">
        {error.text}
      </span>
    ) : null;

  return (
    <form className="dash-filters" method="get" action="/api/dashboard/ledger.csv" onSubmit={check} noValidate>
      <div>
        <label>
          From (UTC)
          <input type="date" name="from" defaultValue={from} required {...fieldProps("from")} />
        </label>
        {message("from")}
      </div>
      <div>
        <label>
          To (UTC, included)
          <input type="date" name="to" defaultValue={to} required {...fieldProps("to")} />
        </label>
        {message("to")}
      </div>
      <button type="submit">Download ledger CSV</button>
    </form>
  );
}
