// Formatting shared by server and client components: UTC and fixed formats, so the server's HTML
// and the browser's render agree.

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  const d = typeof value === "string" ? new Date(value) : value;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
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

export const formatUsd = (usd: number | null | undefined) => (usd === null || usd === undefined ? "—" : `$${usd.toFixed(2)}`);

export const formatCredits = (credits: number) => credits.toLocaleString("en-US");

export const formatDelta = (delta: number) => (delta > 0 ? `+${delta}` : String(delta));
