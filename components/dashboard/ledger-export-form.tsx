/** A plain GET form: the browser downloads the streamed CSV (Content-Disposition: attachment). */
export function LedgerExportForm({ from, to }: { from: string; to: string }) {
  return (
    <form className="dash-filters" method="get" action="/api/dashboard/ledger.csv">
      <label>From (UTC)<input type="date" name="from" defaultValue={from} required /></label>
      <label>To (UTC, included)<input type="date" name="to" defaultValue={to} required /></label>
      <button type="submit">Download ledger CSV</button>
    </form>
  );
}
