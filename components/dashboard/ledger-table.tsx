import { LEDGER_KIND_WORDS } from "@/lib/dashboard/words";
import type { LedgerKind } from "@/lib/generated/prisma/enums";
import { formatDelta } from "./format";
import { When } from "./when";

export type LedgerRow = {
  id: bigint;
  createdAt: Date;
  kind: LedgerKind;
  availableDelta: number;
  heldDelta: number;
  /** Who moved the credits, in words: an email, or "system: …". */
  actorWords: string;
  reason: string | null;
};

/** Ledger entries as the operator reads them: when, what kind, how each balance moved, who and why. */
export function LedgerTable({ entries }: { entries: LedgerRow[] }) {
  return (
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
        {entries.map((e) => (
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
            <td>{e.reason ?? <span className="muted">—</span>}</td>
          </tr>
        ))}
        {entries.length === 0 && (
          <tr>
            <td colSpan={6} className="muted">
              No ledger entries.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
