import Link from "next/link";
import { formatSeconds } from "@/components/dashboard/format";
import { Pager } from "@/components/dashboard/pager";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { listAlerts } from "@/lib/dashboard/audit-and-alerts";
import { ListPage, type RawSearchParams } from "@/lib/dashboard/schemas";
import { When } from "@/components/dashboard/when";
import { ALERT_KIND_WORDS } from "@/lib/dashboard/words";

export const dynamic = "force-dynamic";

export default async function AlertsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const viewer = await operatorForPage("/dashboard/alerts");
  const { page } = ListPage.parse(await searchParams);
  const { alerts, pageInfo } = await listAlerts(db(), viewer, page);
  return (
    <>
      <h1>Alerts</h1>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Kind</th>
            <th>User</th>
            <th>Call</th>
            <th>Seconds</th>
            <th>Credits</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id}>
              <td>
                <When at={a.createdAt} />
              </td>
              <td>
                <span className="pill dash-bad">{ALERT_KIND_WORDS[a.kind]}</span>
              </td>
              <td>{a.userId ? <Link href={`/dashboard/users/${a.userId}`}>{a.email ?? a.userId}</Link> : "—"}</td>
              <td>
                {a.vapiCallId ? (
                  <Link href={`/dashboard/calls/${encodeURIComponent(a.vapiCallId)}`}>{a.vapiCallId}</Link>
                ) : (
                  "—"
                )}
              </td>
              <td>{formatSeconds(a.seconds)}</td>
              <td>{a.credits}</td>
              <td>{a.message}</td>
            </tr>
          ))}
          {alerts.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No alerts.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager info={pageInfo} basePath="/dashboard/alerts" />
    </>
  );
}
