export function Stat({ label, value, note, testId }: { label: string; value: string; note?: string; testId?: string }) {
  return (
    <div className="card">
      <div className="muted">{label}</div>
      <div className="stat" data-testid={testId}>
        {value}
      </div>
      {note && <div className="muted dash-note">{note}</div>}
    </div>
  );
}
