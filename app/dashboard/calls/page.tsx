import Link from "next/link";
import { formatSeconds, formatUsd } from "@/components/dashboard/format";
import { Pager } from "@/components/dashboard/pager";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { knownEndings, listCalls } from "@/lib/dashboard/calls";
import { CallFilters, type RawSearchParams } from "@/lib/dashboard/schemas";
import { When } from "@/components/dashboard/when";
import { CallStatusPills, EndedBy } from "@/components/dashboard/call-words";

export const dynamic = "force-dynamic";

export default async function CallsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const viewer = await operatorForPage("/dashboard/calls");
  const filters = CallFilters.parse(await searchParams);
  const [{ calls, pageInfo }, endings] = await Promise.all([
    listCalls(db(), viewer, filters),
    knownEndings(db(), viewer),
  ]);
  return (
    <>
      <h1>Calls</h1>
      <form className="dash-filters" method="get">
        <label>
          User email
          <input name="email" type="search" defaultValue={filters.email ?? ""} maxLength={200} />
        </label>
        <label>
          Ended because
          <select name="endedBy" defaultValue={filters.endedBy ?? ""}>
            <option value="">any</option>
            {endings.map((e) => (
              <option key={e.key} value={e.key}>
                {e.words}
              </option>
            ))}
          </select>
        </label>
        <label>
          From (UTC)
          <input name="from" type="date" defaultValue={filters.from ?? ""} />
        </label>
        <label>
          To (UTC)
          <input name="to" type="date" defaultValue={filters.to ?? ""} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>Started</th>
            <th>User</th>
            <th>Status</th>
            <th>Used</th>
            <th>Credits</th>
            <th>Vapi cost</th>
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
                {c.user ? (
                  <Link href={`/dashboard/users/${c.user.id}`}>{c.user.email}</Link>
                ) : (
                  <span className="muted">unknown</span>
                )}
              </td>
              <td>
                <CallStatusPills call={c} />
              </td>
              <td>{formatSeconds(c.usedSeconds)}</td>
              <td>{c.creditsCharged ?? "—"}</td>
              <td>{formatUsd(c.vapiCost)}</td>
              <td>
                <EndedBy call={c} />
              </td>
            </tr>
          ))}
          {calls.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No calls match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager
        info={pageInfo}
        basePath="/dashboard/calls"
        params={{ email: filters.email, endedBy: filters.endedBy, from: filters.from, to: filters.to }}
      />
    </>
  );
}
