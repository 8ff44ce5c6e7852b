import { CostRevenueChart } from "@/components/dashboard/cost-revenue-chart";
import { DailyMinutesChart } from "@/components/dashboard/daily-minutes-chart";
import { formatCredits, formatMinutes, formatSeconds, formatUsd } from "@/components/dashboard/format";
import { LedgerExportForm } from "@/components/dashboard/ledger-export-form";
import { Stat } from "@/components/dashboard/stat";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { getOverview, reconcilerWarning, vapiKeyWarnings } from "@/lib/dashboard/overview";
import { busyLines } from "@/lib/dashboard/refused-starts";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const viewer = await operatorForPage("/dashboard");
  const now = new Date();
  const o = await getOverview(db(), viewer, now);
  const busy = await busyLines(db(), viewer, now);
  const lagging = await reconcilerWarning(db(), viewer, process.env, now);
  const warnings = [...vapiKeyWarnings(process.env), ...(lagging ? [lagging] : [])];
  const today = now.toISOString().slice(0, 10);
  const monthAgo = new Date(now.getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
  return (
    <>
      <h1>Credits dashboard</h1>
      {warnings.map((w) => (
        <p key={w} role="alert" className="dash-banner">
          {w}
        </p>
      ))}
      <section className="grid">
        <Stat
          label="Credits outstanding"
          value={formatCredits(o.creditsOutstanding)}
          note="available + held, all accounts"
          testId="credits-outstanding"
        />
        <Stat
          label="Held right now"
          value={formatCredits(o.creditsHeld)}
          note="reserved for calls in progress"
          testId="credits-held"
        />
        <Stat
          label="Minutes used today"
          value={formatMinutes(o.secondsToday)}
          note={`${formatMinutes(o.seconds7Days)} over 7 days (UTC days)`}
          testId="minutes-today"
        />
        <Stat label="Live calls" value={String(o.liveCalls)} testId="live-calls" />
        <Stat
          label="Unauthorized calls stopped"
          value={String(o.unauthorizedCalls)}
          note="all time"
          testId="unauthorized-calls"
        />
        <Stat
          label="Leakage"
          value={formatSeconds(o.leakageSeconds)}
          note={`how long unauthorized and tampered-with calls ran, as Vapi reported it${o.leakingCallsUnsettled ? `; ${o.leakingCallsUnsettled} not reported yet` : ""}`}
          testId="leakage"
        />
        <Stat
          label="Starts refused: all lines busy"
          value={String(busy.last7Days)}
          note={`Vapi's concurrency limit, 7 days (UTC); ${busy.today} today. Often? Buy more lines at Vapi.`}
          testId="lines-busy"
          href={busy.href}
        />
        <Stat
          label="Vapi cost, 30 days"
          value={formatUsd(o.vapiCostUsd30Days)}
          note={`against ${formatCredits(o.creditsBilled30Days)} credits billed`}
          testId="vapi-cost"
        />
      </section>
      <section className="card">
        <h2>Minutes used per day</h2>
        <DailyMinutesChart data={o.daily} />
      </section>
      <section className="card">
        <h2>Vapi cost against credits billed</h2>
        <CostRevenueChart data={o.daily} />
      </section>
      <section className="card">
        <h2>Export the ledger</h2>
        <LedgerExportForm from={monthAgo} to={today} />
      </section>
    </>
  );
}
