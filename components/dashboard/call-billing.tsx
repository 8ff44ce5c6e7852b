import type { CallDetail } from "@/lib/dashboard/calls";
import { formatSeconds } from "./format";
import { LedgerTable } from "./ledger-table";
import { RESERVATION_STATUS_WORDS } from "@/lib/dashboard/words";
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
      <LedgerTable entries={reservation.ledgerEntries} />
    </>
  );
}
