import Link from "next/link";
import { formatSeconds } from "@/components/dashboard/format";
import { JOB_STATES } from "@/lib/calls/queue-jobs";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { backgroundWork } from "@/lib/dashboard/background";
import { When } from "@/components/dashboard/when";

export const dynamic = "force-dynamic";

const TASK_LABELS: Record<string, string> = {
  reconcile: "Reconciler (reads Vapi's call list)",
  retention: "Retention (prunes old rows)",
};

const JOB_LABELS: Record<string, string> = {
  "webhook-message-pending": "Webhook messages being processed",
  "webhook-message-retrying": "Webhook messages waiting for a retry",
  "tamper-check-retrying": "Tamper checks waiting for Vapi",
};

export default async function BackgroundPage() {
  const viewer = await operatorForPage("/dashboard/background");
  const work = await backgroundWork(db(), viewer);
  const alive = work.workers.filter((w) => w.alive).length;
  return (
    <>
      <h1>Background work</h1>
      <section className="grid">
        <div className="card">
          <h2>Rows waiting</h2>
          <table>
            <tbody>
              {Object.entries(work.jobs).map(([state, count]) => (
                <tr key={state}>
                  <th scope="row">{JOB_LABELS[state] ?? state}</th>
                  <td>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="card">
          <h2>Reconciler</h2>
          <p>
            {work.reconcilerLagSeconds === null
              ? "It has never read Vapi's call list (it needs VAPI_PRIVATE_KEY)."
              : `Last read Vapi's call list ${Math.round(work.reconcilerLagSeconds)} s ago.`}
            {work.reconcilerNextRunInSeconds !== null &&
              ` Next run ${work.reconcilerNextRunInSeconds > 0 ? `in ${formatSeconds(work.reconcilerNextRunInSeconds)}` : "due now"}.`}
          </p>
          {work.reconcilerLagSeconds !== null && work.reconcilerLagSeconds > 60 && (
            <p className="pill dash-bad">Behind: calls no webhook told us about are not being found.</p>
          )}
        </div>
        <div className="card">
          <h2>Workers</h2>
          <p>
            {alive} running
            {alive === 0
              ? ": nothing enforces cutoffs now. Start `npm run worker` or an app instance without COACH_WORKERS=off."
              : "."}
          </p>
        </div>
      </section>

      <h2>Worker processes (last 24 hours)</h2>
      <table>
        <thead>
          <tr>
            <th>Process</th>
            <th>Started</th>
            <th>Last heartbeat</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {work.workers.map((w) => (
            <tr key={w.id}>
              <td>
                {w.host} · pid {w.pid}
              </td>
              <td>
                <When at={w.startedAt} />
              </td>
              <td>
                <When at={w.beatAt} />
              </td>
              <td>
                <span className={w.alive ? "pill" : "pill dash-bad"}>{w.alive ? "running" : "stopped"}</span>
              </td>
            </tr>
          ))}
          {work.workers.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No worker has run in the last 24 hours.
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <h2>Job queue (graphile-worker: each job runs once across all workers)</h2>
      {work.queue.installed ? (
        <table>
          <thead>
            <tr>
              <th>Task</th>
              {JOB_STATES.map((state) => (
                <th key={state}>{state}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Object.entries(work.queue.byTask).map(([task, counts]) => (
              <tr key={task}>
                <td>{TASK_LABELS[task] ?? task}</td>
                {JOB_STATES.map((state) => (
                  <td key={state}>{counts[state]}</td>
                ))}
              </tr>
            ))}
            {Object.keys(work.queue.byTask).length === 0 && (
              <tr>
                <td colSpan={JOB_STATES.length + 1} className="muted">
                  No jobs queued.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      ) : (
        <p className="muted">The job queue is not installed yet: the first worker to start installs it.</p>
      )}

      <h2>Failing now</h2>
      <table>
        <thead>
          <tr>
            <th>What</th>
            <th>Call</th>
            <th>Failed attempts</th>
            <th>Last error</th>
            <th>Next attempt</th>
          </tr>
        </thead>
        <tbody>
          {work.failingMessages.map((m) => (
            <tr key={m.id.toString()}>
              <td>
                <Link href={`/dashboard/webhooks?event=${m.id}`}>{m.type} message</Link>
              </td>
              <td>
                {m.vapiCallId ? (
                  <Link href={`/dashboard/calls/${encodeURIComponent(m.vapiCallId)}`}>{m.vapiCallId}</Link>
                ) : (
                  "—"
                )}
              </td>
              <td>{m.attempts}</td>
              <td>{m.lastError ?? "—"}</td>
              <td>
                <When at={m.nextAttemptAt} />
              </td>
            </tr>
          ))}
          {work.queue.failing.map((j) => (
            <tr key={`job-${j.id}`}>
              <td>{TASK_LABELS[j.task] ?? j.task} job</td>
              <td>—</td>
              <td>{j.final ? "no more attempts" : `${j.attempts} of ${j.maxAttempts}`}</td>
              <td>{j.lastError}</td>
              <td>{j.final ? j.task === "reconcile" ? "the next run" : "—" : <When at={j.nextAttemptAt} />}</td>
            </tr>
          ))}
          {work.failingTamperChecks.map((c) => (
            <tr key={c.vapiCallId}>
              <td>tamper check</td>
              <td>
                <Link href={`/dashboard/calls/${encodeURIComponent(c.vapiCallId)}`}>{c.vapiCallId}</Link>
              </td>
              <td>{c.overridesCheckFailures}</td>
              <td>Vapi&apos;s call record could not be read</td>
              <td>
                <When at={c.overridesCheckDueAt} />
              </td>
            </tr>
          ))}
          {work.failingMessages.length + work.failingTamperChecks.length + work.queue.failing.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                Nothing is failing.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
