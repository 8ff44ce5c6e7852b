import Link from "next/link";
import { CreditRequestDecision } from "@/components/dashboard/credit-request-decision";
import { Pager } from "@/components/dashboard/pager";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { listCreditRequests } from "@/lib/dashboard/credit-requests";
import { ListPage, type RawSearchParams } from "@/lib/dashboard/schemas";
import { approveCreditRequestAction, declineCreditRequestAction } from "./actions";
import { When } from "@/components/dashboard/when";

export const dynamic = "force-dynamic";

export default async function CreditRequestsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const viewer = await operatorForPage("/dashboard/requests");
  const { page } = ListPage.parse(await searchParams);
  const { open, openPageInfo, decided } = await listCreditRequests(db(), viewer, page);
  return (
    <>
      <h1>Credit requests</h1>
      <p className="muted">
        Users ask for credits from their coach page. Approving grants them through the ledger; declining tells the user
        why.
      </p>
      <h2>Waiting for a decision</h2>
      {open.length === 0 && (
        <p className="muted" data-testid="no-open-requests">
          No open requests.
        </p>
      )}
      {open.map((r) => (
        <article key={r.id} className="card" data-testid="credit-request" aria-label={`Request from ${r.user.email}`}>
          <p>
            <Link href={`/dashboard/users/${r.userId}`}>{r.user.email}</Link> asks for <strong>{r.credits}</strong>{" "}
            credits
            <span className="muted">
              {" "}
              · <When at={r.createdAt} /> · balance {r.user.available}
              {r.user.held > 0 && ` (+${r.user.held} held)`}
            </span>
            {r.user.suspendedAt && (
              <>
                {" "}
                <span className="pill dash-bad">suspended</span>
              </>
            )}
          </p>
          <blockquote>{r.note}</blockquote>
          <CreditRequestDecision
            requestId={r.id}
            asked={r.credits}
            approve={approveCreditRequestAction}
            decline={declineCreditRequestAction}
          />
        </article>
      ))}
      <Pager info={openPageInfo} basePath="/dashboard/requests" />
      <h2>Latest decisions</h2>
      <table>
        <thead>
          <tr>
            <th>Decided</th>
            <th>User</th>
            <th>Asked</th>
            <th>Decision</th>
            <th>By</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {decided.map((r) => (
            <tr key={r.id}>
              <td>
                <When at={r.decidedAt} />
              </td>
              <td>
                <Link href={`/dashboard/users/${r.userId}`}>{r.user.email}</Link>
              </td>
              <td>{r.credits}</td>
              <td>
                {r.status === "APPROVED" ? (
                  <span className="pill">approved: +{r.grantedCredits}</span>
                ) : (
                  <span className="pill dash-bad">declined</span>
                )}
              </td>
              <td>{r.decidedByEmail ?? r.decidedById}</td>
              <td>{r.decisionReason}</td>
            </tr>
          ))}
          {decided.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No decisions yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
