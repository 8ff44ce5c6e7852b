// Formatting shared by server and client components: UTC and fixed formats, so the server's HTML
// and the browser's render agree.

/** 2026-03-15 12:01:07 UTC: to the second, since one call's events fall within the same minute. */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  const d = typeof value === "string" ? new Date(value) : value;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "just now", "45 s ago", "3 min ago", "2 h ago", "5 days ago", or "in 30 s" for a time still to come. */
export function formatRelative(value: Date | string, now: Date | string): string {
  const seconds = Math.round((new Date(now).getTime() - new Date(value).getTime()) / 1000);
  const s = Math.abs(seconds);
  if (s < 5) return "just now";
  const amount =
    s < 60
      ? `${s} s`
      : s < 3600
        ? `${Math.floor(s / 60)} min`
        : s < 172_800
          ? `${Math.floor(s / 3600)} h`
          : `${Math.floor(s / 86_400)} days`;
  return seconds > 0 ? `${amount} ago` : `in ${amount}`;
}

/** 75 → "1m 15s", 3725 → "1h 02m", -5 → "-5s". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const sign = seconds < 0 ? "-" : "";
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${sign}${s}s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${sign}${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export const formatMinutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;

export const formatUsd = (usd: number | null | undefined) =>
  usd === null || usd === undefined ? "—" : `$${usd.toFixed(2)}`;

export const formatCredits = (credits: number) => credits.toLocaleString("en-US");

export const formatDelta = (delta: number) => (delta > 0 ? `+${delta}` : String(delta));
