import type { RejectedCount } from "@/lib/dashboard/webhooks";
import { When } from "./when";

/** Rejected webhooks are never stored, only counted; "kept windows" is as far back as the counters go. */
export function RejectedTable({ title, rows }: { title: string; rows: RejectedCount[] }) {
  return (
    <div className="card">
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th />
              <th>Last 24 h</th>
              <th>All kept windows</th>
              <th>Last window</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <td>{r.key}</td>
                <td>{r.last24Hours}</td>
                <td>{r.total}</td>
                <td>
                  <When at={r.lastSeen} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
