import Link from "next/link";

/** One figure on the dashboard; with `href`, the figure links to the rows behind it. */
export function Stat({
  label,
  value,
  note,
  testId,
  href,
}: {
  label: string;
  value: string;
  note?: string;
  testId?: string;
  href?: string;
}) {
  return (
    <div className="card">
      <div className="muted">{label}</div>
      <div className="stat" data-testid={testId}>
        {href ? (
          <Link href={href} aria-label={`${value}: ${label}`}>
            {value}
          </Link>
        ) : (
          value
        )}
      </div>
      {note && <div className="muted dash-note">{note}</div>}
    </div>
  );
}
