import Link from "next/link";
import { Pager } from "@/components/dashboard/pager";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { listAudit } from "@/lib/dashboard/audit-and-alerts";
import { ListPage, type RawSearchParams } from "@/lib/dashboard/schemas";
import { When } from "@/components/dashboard/when";
import { AUDIT_ACTION_WORDS } from "@/lib/dashboard/words";

export const dynamic = "force-dynamic";

export default async function AuditPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const viewer = await operatorForPage("/dashboard/audit");
  const { page } = ListPage.parse(await searchParams);
  const { entries, pageInfo } = await listAudit(db(), viewer, page);
  return (
    <>
      <h1>Audit log</h1>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>What</th>
            <th>On</th>
            <th>Why</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((a) => (
            <tr key={a.id}>
              <td>
                <When at={a.createdAt} />
              </td>
              <td>{a.actorWords}</td>
              <td>
                <span className="pill">{AUDIT_ACTION_WORDS[a.action]}</span>
              </td>
              <td>
                {a.targetUserId && (
                  <Link href={`/dashboard/users/${a.targetUserId}`}>{a.targetEmail ?? a.targetUserId}</Link>
                )}
                {a.targetCallId && (
                  <>
                    {" "}
                    <Link href={`/dashboard/calls/${a.targetCallId}`}>call</Link>
                  </>
                )}
              </td>
              <td>{a.reason ?? "—"}</td>
              <td>
                <code>{a.details ? JSON.stringify(a.details) : ""}</code>
              </td>
            </tr>
          ))}
          {entries.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No actions yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager info={pageInfo} basePath="/dashboard/audit" />
    </>
  );
}
