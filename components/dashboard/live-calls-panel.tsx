"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { LiveCallsSnapshot } from "@/lib/dashboard/types";
import { EndCallButton, type EndCall } from "./end-call-button";
import { formatSeconds } from "./format";
import { CALL_FLAG_WORDS } from "@/lib/dashboard/words";
import { When } from "./when";

const POLL_MS = 2000;
type Outcome = { at: string; label: string; ok: boolean; text: string };

/** The live calls, refreshed from /api/dashboard/live-calls every 2 s; one poll in flight at a time. */
export function LiveCallsPanel({ initial, endCall }: { initial: LiveCallsSnapshot; endCall: EndCall }) {
  const [snapshot, setSnapshot] = useState(initial);
  const [trouble, setTrouble] = useState<string | null>(null);
  // Kept apart from the rows: an ended call drops off the list, its outcome should not.
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);

  useEffect(() => {
    let inFlight = false;
    const timer = setInterval(async () => {
      if (inFlight) return;
      inFlight = true;
      try {
        const response = await fetch("/api/dashboard/live-calls", { cache: "no-store" });
        if (response.status === 401 || response.status === 403) {
          clearInterval(timer);
          setTrouble("You are no longer signed in as an operator: updates stopped. Reload to sign in again.");
          return;
        }
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        setSnapshot(await response.json());
        setTrouble(null);
      } catch {
        setTrouble("Lost contact with the server; retrying…");
      } finally {
        inFlight = false;
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, []);

  const record = (label: string) => (ok: boolean, text: string) =>
    setOutcomes((list) => [{ at: new Date().toISOString(), label, ok, text }, ...list].slice(0, 10));

  return (
    <>
      {trouble && (
        <p role="alert" className="error">
          {trouble}
        </p>
      )}
      <p className="muted">
        Updated <When at={snapshot.now} now={snapshot.now} /> · {snapshot.calls.length} live
      </p>
      {outcomes.map((o) => (
        <p key={o.at} role="status" className={o.ok ? "success" : "error"}>
          {o.label}: {o.text}
        </p>
      ))}
      {snapshot.calls.length === 0 ? (
        <p className="muted">No calls are running.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>User</th>
              <th>Started</th>
              <th>Elapsed</th>
              <th>Remaining</th>
              <th>Last said</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {snapshot.calls.map((c) => (
              <tr key={c.id} data-testid={`live-call-${c.vapiCallId}`}>
                <td>
                  {c.userId ? (
                    <Link href={`/dashboard/users/${c.userId}`}>{c.email}</Link>
                  ) : (
                    <span className="muted">unknown</span>
                  )}
                </td>
                <td>
                  <When at={c.startedAt} now={snapshot.now} />
                </td>
                <td>{formatSeconds(c.elapsedSeconds)}</td>
                <td className={c.remainingSeconds !== null && c.remainingSeconds < 60 ? "error" : undefined}>
                  {formatSeconds(c.remainingSeconds)}
                </td>
                <td className="dash-lines">
                  {c.lastLines.length ? (
                    c.lastLines.map((l, i) => <div key={i}>{l}</div>)
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {c.flag && <span className="pill dash-bad">{CALL_FLAG_WORDS[c.flag]}</span>}{" "}
                  {c.ending ? (
                    <span className="pill">ending</span>
                  ) : (
                    <EndCallButton callId={c.id} endCall={endCall} onOutcome={record(c.email ?? c.vapiCallId)} />
                  )}{" "}
                  <Link href={`/dashboard/calls/${c.id}`}>Details</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
