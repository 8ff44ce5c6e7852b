/** A (masked) payload, folded by default: they run to tens of KB. Its box scrolls, so it takes keyboard focus. */
export function JsonViewer({
  value,
  open = false,
  summary = "Payload",
}: {
  value: unknown;
  open?: boolean;
  summary?: string;
}) {
  return (
    <details className="dash-json" open={open}>
      <summary>{summary}</summary>
      <pre role="region" aria-label={summary} tabIndex={0}>
        {JSON.stringify(value, null, 2)}
      </pre>
    </details>
  );
}
