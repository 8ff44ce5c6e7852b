import type { CallDetail } from "@/lib/dashboard/calls";
import { formatDelta, formatSeconds } from "./format";
import { LEDGER_KIND_WORDS, RESERVATION_STATUS_WORDS } from "@/lib/dashboard/words";
import { When } from "./when";

/** The reservation that paid for a call: what was held, captured and given back (released, or expired), entry by entry. */
export function CallBilling({ reservation }: { reservation: CallDetail["call"]["reservation"] }) {
  if (!reservation)
    return <p className="muted">No reservation: this call was never authorized, so nothing was billed.</p>;
  return (
    <>
      <p>
        <span className="pill">{RESERVATION_STATUS_WORDS[reservation.status]}</span> held {reservation.credits} credits
        for {formatSeconds(reservation.seconds)}
        {reservation.status !== "HELD" && (
          <>
            ; captured {reservation.capturedCredits}, {reservation.releasedCredits} back to available
          </>
        )}
        {reservation.closedAt && (
          <>
            {" "}
            · closed <When at={reservation.closedAt} />
          </>
        )}
      </p>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Kind</th>
            <th>Available</th>
            <th>Held</th>
            <th>Actor</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {reservation.ledgerEntries.map((e) => (
            <tr key={e.id.toString()}>
              <td>
                <When at={e.createdAt} />
              </td>
              <td>
                <span className="pill">{LEDGER_KIND_WORDS[e.kind]}</span>
              </td>
              <td>{formatDelta(e.availableDelta)}</td>
              <td>{formatDelta(e.heldDelta)}</td>
              <td>{e.actorWords}</td>
              <td>{e.reason ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
