import Link from "next/link";
import { notFound } from "next/navigation";
import { CallBilling } from "@/components/dashboard/call-billing";
import { formatSeconds, formatUsd } from "@/components/dashboard/format";
import { JsonViewer } from "@/components/dashboard/json-viewer";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { getCallDetail } from "@/lib/dashboard/calls";
import { RecordId } from "@/lib/dashboard/schemas";
import { When } from "@/components/dashboard/when";
import { CallStatusPills, EndedBy } from "@/components/dashboard/call-words";
import { ALERT_KIND_WORDS, AUDIT_ACTION_WORDS, WEBHOOK_OUTCOME_WORDS } from "@/lib/dashboard/words";

export const dynamic = "force-dynamic";

const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

export default async function CallDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: rawId } = await params;
  const viewer = await operatorForPage(`/dashboard/calls/${encodeURIComponent(rawId)}`);
  const id = RecordId.safeParse(rawId);
  if (!id.success) notFound();
  const detail = await getCallDetail(db(), viewer, id.data);
  if (!detail) notFound();
  const { call, events, alerts, audit } = detail;
  return (
    <>
      <h1>Call {call.vapiCallId}</h1>
      <section className="card">
        <p>
          <CallStatusPills call={call} />{" "}
          {call.user ? (
            <Link href={`/dashboard/users/${call.user.id}`}>{call.user.email}</Link>
          ) : (
            <span className="muted">no user</span>
          )}
        </p>
        <p>
          Started <When at={call.startedAt} /> · ended <When at={call.endedAt} /> (<EndedBy call={call} />) · cutoff{" "}
          <When at={call.cutoffAt} /> · used {formatSeconds(call.usedSeconds)}
        </p>
        <p>
          Credits charged: {call.creditsCharged ?? "—"} · Vapi cost: {formatUsd(call.vapiCost)} · settled{" "}
          <When at={call.settledAt} />
        </p>
        {call.recordingUrl && isWebUrl(call.recordingUrl) && (
          <p>
            <a href={call.recordingUrl} target="_blank" rel="noreferrer">
              Recording
            </a>
          </p>
        )}
      </section>
      <section className="card">
        <h2>Billing</h2>
        <CallBilling reservation={call.reservation} />
      </section>
      {(alerts.length > 0 || audit.length > 0) && (
        <section className="card">
          <h2>Alerts and operator actions</h2>
          <ul>
            {alerts.map((a) => (
              <li key={a.id}>
                <span className="pill dash-bad">{ALERT_KIND_WORDS[a.kind]}</span> <When at={a.createdAt} /> ·{" "}
                {a.message} ({formatSeconds(a.seconds)}, {a.credits} credits)
              </li>
            ))}
            {audit.map((a) => (
              <li key={a.id}>
                <span className="pill">{AUDIT_ACTION_WORDS[a.action]}</span> <When at={a.createdAt} /> · {a.actorWords}{" "}
                · {a.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card">
        <h2>Summary</h2>
        <p>{call.summary ?? <span className="muted">None yet.</span>}</p>
        <h2>Transcript</h2>
        {call.transcript ? (
          <pre className="transcript" role="region" aria-label="Transcript" tabIndex={0}>
            {call.transcript}
          </pre>
        ) : (
          <p className="muted">None yet.</p>
        )}
      </section>
      <section className="card">
        <h2>Webhook timeline</h2>
        <table>
          <thead>
            <tr>
              <th>Received</th>
              <th>Type</th>
              <th>Status</th>
              <th>Outcome</th>
              <th>Payload (masked)</th>
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
                  <span className="pill">{WEBHOOK_OUTCOME_WORDS[e.outcome]}</span> {e.detail}
                </td>
                <td>
                  <JsonViewer value={e.payload} />
                </td>
              </tr>
            ))}
            {events.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No webhook events for this call.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </>
  );
}
