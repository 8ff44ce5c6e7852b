import Link from "next/link";
import { formatDateTime, formatSeconds, formatUsd } from "@/components/dashboard/format";
import { Pager } from "@/components/dashboard/pager";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { knownEndedReasons, listCalls } from "@/lib/dashboard/calls";
import { CallFilters, type RawSearchParams } from "@/lib/dashboard/schemas";

export const dynamic = "force-dynamic";

export default async function CallsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  await operatorForPage("/dashboard/calls");
  const filters = CallFilters.parse(await searchParams);
  const [{ calls, pageInfo }, reasons] = await Promise.all([listCalls(db(), filters), knownEndedReasons(db())]);
  return (
    <>
      <h1>Calls</h1>
      <form className="dash-filters" method="get">
        <label>User email<input name="email" type="search" defaultValue={filters.email ?? ""} maxLength={200} /></label>
        <label>Ended because
          <input name="endedReason" list="ended-reasons" defaultValue={filters.endedReason ?? ""} maxLength={200} />
          <datalist id="ended-reasons">{reasons.map((r) => <option key={r} value={r} />)}</datalist>
        </label>
        <label>From (UTC)<input name="from" type="date" defaultValue={filters.from ?? ""} /></label>
        <label>To (UTC)<input name="to" type="date" defaultValue={filters.to ?? ""} /></label>
        <button type="submit">Filter</button>
      </form>
      <table>
        <thead><tr><th>Started</th><th>User</th><th>Status</th><th>Used</th><th>Credits</th><th>Vapi cost</th><th>Ended because</th></tr></thead>
        <tbody>
          {calls.map((c) => (
            <tr key={c.id}>
              <td><Link href={`/dashboard/calls/${c.id}`}>{formatDateTime(c.startedAt)}</Link></td>
              <td>{c.user ? <Link href={`/dashboard/users/${c.user.id}`}>{c.user.email}</Link> : <span className="muted">unknown</span>}</td>
              <td><span className="pill">{c.status}</span> {c.flag && <span className="pill dash-bad">{c.flag}</span>}</td>
              <td>{formatSeconds(c.usedSeconds)}</td>
              <td>{c.creditsCharged ?? "—"}</td>
              <td>{formatUsd(c.vapiCost)}</td>
              <td>{c.endedReason ?? "—"}</td>
            </tr>
          ))}
          {calls.length === 0 && <tr><td colSpan={7} className="muted">No calls match.</td></tr>}
        </tbody>
      </table>
      <Pager info={pageInfo} basePath="/dashboard/calls" params={{ email: filters.email, endedReason: filters.endedReason, from: filters.from, to: filters.to }} />
    </>
  );
}
