// Epoch seconds stay below 1e11 until the year 5138, and epoch milliseconds pass 1e11 in 1973, so
// the magnitude alone tells the two units apart for any date we will meet.
const SECONDS_LIMIT = 1e11;

export function dateFromEpoch(value: number): Date | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const ms = value < SECONDS_LIMIT ? value * 1000 : value;
  const date = new Date(Math.round(ms));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function dateFromIsoOrEpoch(value: unknown): Date | undefined {
  if (typeof value === "number") return dateFromEpoch(value);
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return dateFromEpoch(Number(value));
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
