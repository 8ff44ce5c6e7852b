import { randomUUID } from "node:crypto";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CreditAdjustForm } from "@/components/dashboard/credit-adjust-form";
import { formatSeconds } from "@/components/dashboard/format";
import { LedgerTable } from "@/components/dashboard/ledger-table";
import { Pager } from "@/components/dashboard/pager";
import { SuspensionForm } from "@/components/dashboard/suspension-form";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { LedgerPage, RecordId, type RawSearchParams } from "@/lib/dashboard/schemas";
import { getUserDetail } from "@/lib/dashboard/users";
import { adjustCreditsAction, suspendUserAction, unsuspendUserAction } from "./actions";
import { When } from "@/components/dashboard/when";
import { CallStatusPills, EndedBy } from "@/components/dashboard/call-words";
import { AUDIT_ACTION_WORDS } from "@/lib/dashboard/words";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<RawSearchParams> };

export default async function UserDetailPage({ params, searchParams }: Props) {
  const { id: rawId } = await params;
  const viewer = await operatorForPage(`/dashboard/users/${encodeURIComponent(rawId)}`);
  const id = RecordId.safeParse(rawId);
  if (!id.success) notFound();
  const { page } = LedgerPage.parse(await searchParams);
  const detail = await getUserDetail(db(), viewer, id.data, page);
  if (!detail) notFound();
  const { user, ledger, ledgerPageInfo, calls, audit, creditRequests } = detail;
  return (
    <>
      <h1>{user.email}</h1>
      <section className="grid">
        <div className="card">
          <div className="muted">Available</div>
          <div className="stat" data-testid="user-available">
            {user.available}
          </div>
        </div>
        <div className="card">
          <div className="muted">Held</div>
          <div className="stat">{user.held}</div>
        </div>
        <div className="card">
          <div className="muted">Status</div>
          {user.suspendedAt ? (
            <p>
              <span className="pill dash-bad">suspended</span> since <When at={user.suspendedAt} />:{" "}
              {user.suspendedReason}
            </p>
          ) : (
            <p>
              <span className="pill">active</span> {user.role === "OPERATOR" && <span className="pill">operator</span>}
            </p>
          )}
          <p className="muted">
            {user.name ?? "no name"} · joined <When at={user.createdAt} />
          </p>
        </div>
      </section>
      <section className="grid">
        <div className="card">
          <h2>Grant or deduct credits</h2>
          <CreditAdjustForm userId={user.id} idempotencyKey={randomUUID()} adjust={adjustCreditsAction} />
        </div>
        <div className="card">
          <h2>{user.suspendedAt ? "Lift the suspension" : "Suspend"}</h2>
          <SuspensionForm
            userId={user.id}
            suspended={!!user.suspendedAt}
            suspend={suspendUserAction}
            unsuspend={unsuspendUserAction}
          />
        </div>
      </section>
      <section className="card">
        <h2>Ledger</h2>
        <LedgerTable entries={ledger} />
        <Pager info={ledgerPageInfo} basePath={`/dashboard/users/${user.id}`} />
      </section>
      <section className="card">
        <h2>Recent calls</h2>
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Status</th>
              <th>Used</th>
              <th>Credits</th>
              <th>Ended because</th>
            </tr>
          </thead>
          <tbody>
            {calls.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link href={`/dashboard/calls/${c.id}`}>
                    <When at={c.startedAt} />
                  </Link>
                </td>
                <td>
                  <CallStatusPills call={c} />
                </td>
                <td>{formatSeconds(c.usedSeconds)}</td>
                <td>{c.creditsCharged ?? "—"}</td>
                <td>
                  <EndedBy call={c} />
                </td>
              </tr>
            ))}
            {calls.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No calls yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>Credit requests</h2>
        <ul>
          {creditRequests.map((r) => (
            <li key={r.id}>
              <When at={r.createdAt} /> · asked for {r.credits}: “{r.note}” ·{" "}
              {r.status === "OPEN" && <Link href="/dashboard/requests">open, decide on Credit requests</Link>}
              {r.status === "APPROVED" && (
                <>
                  approved, +{r.ledgerEntry?.availableDelta}: {r.decisionReason}
                </>
              )}
              {r.status === "DECLINED" && <>declined: {r.decisionReason}</>}
            </li>
          ))}
          {creditRequests.length === 0 && <li className="muted">None.</li>}
        </ul>
      </section>
      <section className="card">
        <h2>Actions on this account</h2>
        <ul>
          {audit.map((a) => (
            <li key={a.id}>
              <When at={a.createdAt} /> · {a.actorWords} {AUDIT_ACTION_WORDS[a.action]} · {a.reason}
            </li>
          ))}
          {audit.length === 0 && <li className="muted">None.</li>}
        </ul>
      </section>
    </>
  );
}
