import Link from "next/link";
import type { PageInfo } from "@/lib/dashboard/pagination";

/** Previous/next links that keep the page's other query parameters. */
export function Pager({
  info,
  basePath,
  params = {},
}: {
  info: PageInfo;
  basePath: string;
  params?: Record<string, string | undefined>;
}) {
  const href = (page: number) => {
    const query = new URLSearchParams(
      Object.entries({ ...params, page: String(page) }).filter((e): e is [string, string] => !!e[1]),
    );
    return `${basePath}?${query}`;
  };
  return (
    <nav className="dash-pager" aria-label="Pages">
      {info.page > 1 ? <Link href={href(info.page - 1)}>← Previous</Link> : <span className="muted">← Previous</span>}
      <span className="muted">
        Page {info.page} of {info.pages} · {info.total.toLocaleString("en-US")} in all
      </span>
      {info.page < info.pages ? <Link href={href(info.page + 1)}>Next →</Link> : <span className="muted">Next →</span>}
    </nav>
  );
}
