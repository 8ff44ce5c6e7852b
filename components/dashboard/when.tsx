import { formatDateTime, formatRelative } from "./format";

/**
 * A moment, to the second in UTC, with how long ago it was on hover. Server pages pass nothing and
 * get the time of rendering; a client component passes the `now` its data came with, so the
 * server's HTML and the browser's render agree.
 */
export function When({ at, now }: { at: Date | string | null | undefined; now?: Date | string }) {
  if (!at) return <>—</>;
  const d = new Date(at);
  return (
    <time dateTime={d.toISOString()} title={formatRelative(d, now ?? new Date())}>
      {formatDateTime(d)}
    </time>
  );
}
