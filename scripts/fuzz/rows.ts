// What the webhook wrote, read straight from PostgreSQL (a plain pg client, not the app's code).
import pg from "pg";

/** lib/calls/inbox.ts counts rejected requests under keys with this prefix (by source address, by reason). */
const REJECTION_COUNTER_PREFIX = "webhook-rejected:";

export type RowCounts = Record<string, number>;

export class Rows {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly tables: string[],
  ) {}

  static async connect(databaseUrl: string): Promise<Rows> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    const { rows } = await pool.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    return new Rows(
      pool,
      rows.map((r) => r.tablename),
    );
  }

  /**
   * Rows in every table of the public schema. RateLimitWindow counts only rows other than the
   * webhook's rejection counters, the one thing an unauthenticated request may write.
   */
  async count(): Promise<RowCounts> {
    const parts = this.tables.map((table, i) =>
      table === "RateLimitWindow"
        ? `SELECT ${i} AS i, count(*)::int AS n FROM "RateLimitWindow" WHERE "key" NOT LIKE $1`
        : `SELECT ${i} AS i, count(*)::int AS n FROM ${quote(table)}`,
    );
    const { rows } = await this.pool.query<{ i: number; n: number }>(parts.join(" UNION ALL "), [
      `${like(REJECTION_COUNTER_PREFIX)}%`,
    ]);
    return Object.fromEntries(rows.map((r) => [this.tables[r.i], r.n]));
  }

  /** Rows that mention a call id, across the tables the webhook writes. */
  async mentioning(callId: string): Promise<{ events: number; calls: number; alerts: number }> {
    const {
      rows: [r],
    } = await this.pool.query<{ events: number; calls: number; alerts: number }>(
      `SELECT (SELECT count(*)::int FROM "WebhookEvent" WHERE "vapiCallId" = $1) AS events,
              (SELECT count(*)::int FROM "Call" WHERE "vapiCallId" = $1) AS calls,
              (SELECT count(*)::int FROM "Alert" WHERE "vapiCallId" = $1) AS alerts`,
      [callId],
    );
    return r;
  }

  /**
   * Verified messages whose action has not run, grouped by why its last attempt failed: the app
   * answers 200 first and acts after (and retries), so these failures never show in a status.
   * Null when the schema keeps no such record.
   */
  async failingActions(): Promise<{ error: string; count: number }[] | null> {
    const {
      rows: [has],
    } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'WebhookEvent' AND column_name IN ('lastError', 'processedAt')`,
    );
    if (has.n < 2) return null;
    const { rows } = await this.pool.query<{ error: string; count: number }>(
      `SELECT left("lastError", 200) AS error, count(*)::int AS count FROM "WebhookEvent"
       WHERE "processedAt" IS NULL AND "lastError" IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`,
    );
    return rows;
  }

  close = () => this.pool.end();
}

export function diff(before: RowCounts, after: RowCounts): string[] {
  return Object.keys({ ...before, ...after })
    .filter((t) => (before[t] ?? 0) !== (after[t] ?? 0))
    .map((t) => `${t} ${before[t] ?? 0} → ${after[t] ?? 0}`);
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
const like = (prefix: string) => prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
