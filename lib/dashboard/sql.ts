import { Prisma } from "@/lib/generated/prisma/client";

/**
 * A Date as a SQL `timestamp`. Columns are `timestamp(3)` holding UTC wall time; casting the ISO
 * string (which ends in Z) to `timestamp` keeps that wall time whatever the session's TimeZone is.
 */
export const at = (date: Date) => Prisma.sql`${date.toISOString()}::timestamp`;

/** `%q%` for ILIKE, with the user's own `%`, `_` and `\` matched literally. */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** SUM/COUNT come back as bigint (or null on no rows); the dashboard's figures fit a number. */
export const num = (value: bigint | number | null | undefined) => Number(value ?? 0);

export const startOfUtcDay = (date: Date) =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));

export const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
