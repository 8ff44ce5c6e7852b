import Link from "next/link";
import { JsonViewer } from "@/components/dashboard/json-viewer";
import { Pager } from "@/components/dashboard/pager";
import { RejectedTable } from "@/components/dashboard/rejected-table";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { WebhookFilters, type RawSearchParams } from "@/lib/dashboard/schemas";
import { getWebhookEvent, listWebhookEvents, rejectedWebhookCounts } from "@/lib/dashboard/webhooks";
import { When } from "@/components/dashboard/when";
import { WEBHOOK_OUTCOME_WORDS } from "@/lib/dashboard/words";

export const dynamic = "force-dynamic";

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const viewer = await operatorForPage("/dashboard/webhooks");
  const { outcome, event: eventId, page } = WebhookFilters.parse(await searchParams);
  const [{ events, unprocessed, pageInfo }, rejected, selected] = await Promise.all([
    listWebhookEvents(db(), viewer, { outcome, page }),
    rejectedWebhookCounts(db(), viewer, new Date()),
    eventId ? getWebhookEvent(db(), viewer, eventId) : null,
  ]);
  const viewHref = (id: bigint) =>
    `/dashboard/webhooks?${new URLSearchParams({ ...(outcome ? { outcome } : {}), page: String(page), event: id.toString() })}`;
  return (
    <>
      <h1>Webhook log</h1>
      {unprocessed > 0 && (
        <p className="card" role="status">
          {unprocessed} verified {unprocessed === 1 ? "message has" : "messages have"} not been processed yet: acting on{" "}
          {unprocessed === 1 ? "it" : "them"} failed, and {unprocessed === 1 ? "it is" : "they are"} retried with
          backoff. <Link href="/dashboard/webhooks?outcome=unprocessed">Show {unprocessed === 1 ? "it" : "them"}</Link>
        </p>
      )}
      <section className="grid">
        <RejectedTable title="Rejected, by reason" rows={rejected.byReason} />
        <RejectedTable title="Rejected, by source address" rows={rejected.bySource} />
      </section>
      {selected && (
        <section className="card">
          <h2>
            Event {selected.id.toString()}: {selected.type}
          </h2>
          <p className="muted">
            {WEBHOOK_OUTCOME_WORDS[selected.outcome]} · {selected.detail ?? "no detail"} · dedupe key{" "}
            {selected.dedupeKey}
          </p>
          {!selected.processedAt && (
            <p>
              Not processed yet: {selected.attempts} failed attempt(s), last error “{selected.lastError ?? "none yet"}”;
              next attempt {selected.nextAttemptAt ? <When at={selected.nextAttemptAt} /> : "soon"}.
            </p>
          )}
          <JsonViewer value={selected.payload} open summary="Payload (masked)" />
        </section>
      )}
      <form className="dash-filters" method="get">
        <label>
          Outcome
          <select name="outcome" defaultValue={outcome ?? ""}>
            <option value="">all</option>
            <option value="ACCEPTED">accepted</option>
            <option value="INVALID">invalid</option>
            <option value="IGNORED">ignored</option>
            <option value="unprocessed">not processed yet</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>Received</th>
            <th>Type</th>
            <th>Status</th>
            <th>Outcome</th>
            <th>Call</th>
            <th>Detail</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id.toString()}>
              <td>
                <When at={e.receivedAt} />
              </td>
              <td>{e.type}</td>
              <td>{e.status ?? "—"}</td>
              <td>
                <span className="pill">{WEBHOOK_OUTCOME_WORDS[e.outcome]}</span>
                {!e.processedAt && (
                  <span className="pill dash-bad" title={e.lastError ?? undefined}>
                    {" "}
                    not processed yet ({e.attempts} failed)
                  </span>
                )}
              </td>
              <td>
                {e.vapiCallId ? (
                  <Link href={`/dashboard/calls/${encodeURIComponent(e.vapiCallId)}`}>{e.vapiCallId}</Link>
                ) : (
                  "—"
                )}
              </td>
              <td>{e.detail ?? "—"}</td>
              <td>
                <Link href={viewHref(e.id)}>Payload</Link>
              </td>
            </tr>
          ))}
          {events.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No events.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager info={pageInfo} basePath="/dashboard/webhooks" params={{ outcome }} />
    </>
  );
}
