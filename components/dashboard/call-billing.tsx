import type { CallDetail } from "@/lib/dashboard/calls";
import { formatDateTime, formatDelta, formatSeconds } from "./format";

/** The reservation that paid for a call: what was held, captured and released, entry by entry. */
export function CallBilling({ reservation }: { reservation: CallDetail["call"]["reservation"] }) {
  if (!reservation) return <p className="muted">No reservation: this call was never authorized, so nothing was billed.</p>;
  return (
    <>
      <p>
        <span className="pill">{reservation.status}</span> held {reservation.credits} credits for {formatSeconds(reservation.seconds)};
        captured {reservation.capturedCredits}, released {reservation.releasedCredits}
        {reservation.closedAt && <> · closed {formatDateTime(reservation.closedAt)}</>}
      </p>
      <table>
        <thead><tr><th>When</th><th>Kind</th><th>Available</th><th>Held</th><th>Actor</th><th>Reason</th></tr></thead>
        <tbody>
          {reservation.ledgerEntries.map((e) => (
            <tr key={e.id.toString()}>
              <td>{formatDateTime(e.createdAt)}</td>
              <td><span className="pill">{e.kind}</span></td>
              <td>{formatDelta(e.availableDelta)}</td>
              <td>{formatDelta(e.heldDelta)}</td>
              <td>{e.actor}</td>
              <td>{e.reason ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
