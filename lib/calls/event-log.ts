import { prepared, utc, type Db } from "@/lib/db/client";
import { batched } from "@/lib/db/batched";
import type { WebhookOutcome } from "@/lib/generated/prisma/client";
import { maskPersonalData } from "@/lib/vapi/mask";

export type EventRow = {
  dedupeKey: string;
  type: string;
  vapiCallId?: string;
  status?: string;
  outcome: WebhookOutcome;
  detail?: string;
  payload: unknown;
  receivedAt: Date;
  /** A conversation-update's transcript so far: kept on its call the first time the message is seen… */
  transcript?: string;
  /** …unless the call holds one from a message Vapi sent later (messages may arrive out of order). */
  sentAt?: Date;
  /** What the message asks us to do, if anything: kept until it is done (at-least-once processing). */
  action?: unknown;
};

/** `first`: its dedupe key was new. `pending`: its action has not been done yet (new, or an earlier attempt failed). */
export type Recorded = { first: boolean; pending: boolean };

/** Until this long after arrival, the delivery that brought a message is taken to be acting on it; after, a retry may. */
export const FIRST_ATTEMPT_LEASE_SECONDS = 30;

/**
 * A write of messages that hangs must not hold every webhook behind it: they get a 500 and Vapi
 * sends them again. (pg honours query_timeout per query; its types list it only for the pool, so
 * `prepared` passes it on.)
 */
const EVENT_WRITE_TIMEOUT_MS = 10_000;

/**
 * Records a server message (payload masked) and says whether it is new and whether its action is
 * still to be done: a redelivery of a message whose action failed is pending again. This runs for
 * every message Vapi sends, so messages are written in groups (lib/db/batched.ts): one
 * statement and one commit for the messages that arrive while a write is under way. A call's
 * messages are written in the order they came.
 */
export const recordEvent = batched<EventRow, Recorded>({
  laneOf: (row) => (row.vapiCallId ? `call:${row.vapiCallId}` : `key:${row.dedupeKey}`),
  run: writeEvents,
});

async function writeEvents(db: Db, batch: EventRow[]): Promise<Recorded[]> {
  const rows = firstOfEachKey(batch);
  const statement = {
    query_timeout: EVENT_WRITE_TIMEOUT_MS,
    text: `WITH input AS (${EVENT_INPUT_SQL}
     ), event AS (${insertEventsSql(`(SELECT *, NULL::timestamp AS "doneAt" FROM input)`)}
     ), latest AS (
       SELECT DISTINCT ON (i."vapiCallId") i."vapiCallId", i."transcript", i."sentAt", i."receivedAt"
       FROM input i JOIN event e USING ("dedupeKey")
       WHERE e."inserted" AND i."transcript" IS NOT NULL
       ORDER BY i."vapiCallId", i."sentAt" DESC NULLS LAST, i."ord" DESC
     ), target AS (
       -- Locked in id order, as every statement that changes several calls does: two such
       -- statements (another instance's batch, the enforcer's claims) cannot deadlock.
       SELECT c."id", l."transcript", l."sentAt", l."receivedAt"
       FROM "Call" c JOIN latest l ON c."vapiCallId" = l."vapiCallId"
       WHERE c."settledAt" IS NULL AND (c."transcriptAt" IS NULL OR l."sentAt" IS NULL OR l."sentAt" >= c."transcriptAt")
       ORDER BY c."id"
       FOR UPDATE OF c
     ), transcript AS (
       UPDATE "Call" c SET "transcript" = t."transcript", "transcriptAt" = COALESCE(t."sentAt", c."transcriptAt"), "updatedAt" = t."receivedAt"
       FROM target t
       WHERE c."id" = t."id"
     )
     SELECT "dedupeKey", "inserted", "pending" FROM event`,
    values: eventValues(rows),
  };
  const { rows: written } = await db.pool.query<WrittenEvent>(prepared(statement));
  return recordedOf(batch, rows, written);
}

/**
 * Records messages and does their action in the same statement, for an action that is one
 * statement: a message is one round trip and one commit, not two in turn. `actionCtes(p)` (its
 * own parameters from $p on, given by `values`) reads the messages from `input` (EVENT_INPUT_SQL,
 * "ord" numbering them) and defines `done` ("ord", "at", and "fresh": this statement made the
 * decision, say it created the call) for the rows whose action it did: those are written processed;
 * the others keep their action, pending, for it to run as any action does. Grouped like the event
 * log, with the same lanes. Of two copies of a message in one statement, the first is carried.
 */
export function recordingWithAction<Row extends EventRow>(spec: {
  actionCtes: (firstParam: number) => string;
  values: (rows: Row[]) => unknown[];
}) {
  const firstParam = eventValues([]).length + 1;
  return batched<Row, Recorded & { fresh: boolean }>({
    laneOf: (row) => (row.vapiCallId ? `call:${row.vapiCallId}` : `key:${row.dedupeKey}`),
    run: async (db, batch) => {
      const rows = firstOfEachKey(batch);
      const { rows: written } = await db.pool.query<WrittenEvent & { fresh: boolean | null }>(
        prepared({
          query_timeout: EVENT_WRITE_TIMEOUT_MS,
          text: `WITH input AS (${EVENT_INPUT_SQL}
       ), ${spec.actionCtes(firstParam)}, event AS (${insertEventsSql(`(SELECT i.*, d."at" AS "doneAt" FROM input i LEFT JOIN done d USING ("ord"))`)}
       )
       SELECT e.*, d."fresh" FROM event e JOIN input i USING ("dedupeKey") LEFT JOIN done d USING ("ord")`,
          values: [...eventValues(rows), ...spec.values(rows)],
        }),
      );
      const carried = new Set(rows);
      const fresh = new Set(written.filter((w) => w.fresh).map((w) => w.dedupeKey));
      return recordedOf(batch, rows, written).map((recorded, i) => ({
        ...recorded,
        fresh: carried.has(batch[i]) && fresh.has(batch[i].dedupeKey),
      }));
    },
  });
}

/** A key twice in one batch: the first is written, the later ones are redeliveries. */
function firstOfEachKey<R extends { dedupeKey: string }>(batch: R[]): R[] {
  const byKey = new Map<string, R>();
  for (const row of batch) if (!byKey.has(row.dedupeKey)) byKey.set(row.dedupeKey, row);
  return [...byKey.values()];
}

/** The rows of a statement that writes events, as parameters $1…$11 (EVENT_INPUT_SQL). */
function eventValues(rows: EventRow[]): unknown[] {
  const column = <T>(f: (r: EventRow) => T) => rows.map(f);
  return [
    column((r) => r.dedupeKey),
    column((r) => r.type),
    column((r) => r.vapiCallId ?? null),
    column((r) => r.status ?? null),
    column((r) => r.outcome),
    column((r) => r.detail ?? null),
    column((r) => JSON.stringify(maskPersonalData(r.payload))),
    column((r) => utc(r.receivedAt)),
    column((r) => r.transcript ?? null),
    column((r) => (r.sentAt ? utc(r.sentAt) : null)),
    column((r) => (r.action === undefined ? null : JSON.stringify(r.action))),
  ];
}

const EVENT_INPUT_SQL = `
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamp[], $9::text[], $10::timestamp[], $11::jsonb[])
         WITH ORDINALITY AS i("dedupeKey", "type", "vapiCallId", "status", "outcome", "detail", "payload", "receivedAt", "transcript", "sentAt", "action", "ord")`;

/**
 * Writes the events of `source` (EVENT_INPUT_SQL's columns, and "doneAt": when this statement
 * itself did the row's action, else null) and returns each one's "inserted" and "pending". A row
 * with an action not done yet keeps it until it is. A redelivery of a message whose action is still
 * to be done is returned, and changes nothing unless this statement did that action (or the message
 * asks for none now): then it is marked processed.
 */
const insertEventsSql = (source: string) => `
       INSERT INTO "WebhookEvent" ("dedupeKey", "type", "vapiCallId", "status", "outcome", "detail", "payload", "receivedAt", "action", "processedAt", "nextAttemptAt")
       SELECT "dedupeKey", "type", "vapiCallId", "status", "outcome"::"WebhookOutcome", "detail", "payload", "receivedAt",
              CASE WHEN "doneAt" IS NULL THEN "action" END,
              CASE WHEN "action" IS NULL THEN "receivedAt" ELSE "doneAt" END,
              CASE WHEN "action" IS NOT NULL AND "doneAt" IS NULL THEN "receivedAt" + make_interval(secs => ${FIRST_ATTEMPT_LEASE_SECONDS}) END
       FROM ${source} s
       ON CONFLICT ("dedupeKey") DO UPDATE SET "processedAt" = EXCLUDED."processedAt",
         "action" = CASE WHEN EXCLUDED."processedAt" IS NULL THEN "WebhookEvent"."action" END,
         "nextAttemptAt" = CASE WHEN EXCLUDED."processedAt" IS NULL THEN "WebhookEvent"."nextAttemptAt" END
       WHERE "WebhookEvent"."processedAt" IS NULL
       RETURNING "dedupeKey", (xmax = 0) AS "inserted", ("processedAt" IS NULL) AS "pending"`;

type WrittenEvent = { dedupeKey: string; inserted: boolean; pending: boolean };

/** Each row's outcome, from what the statement wrote for the rows it carried (`written`, one per key). */
function recordedOf(batch: EventRow[], rows: EventRow[], written: WrittenEvent[]): Recorded[] {
  const carried = new Set(rows);
  const writtenByKey = new Map(written.map((r) => [r.dedupeKey, r]));
  return batch.map((row) => {
    // A second copy in the same batch is a redelivery of a message whose first copy is acting now.
    const recorded = carried.has(row) ? writtenByKey.get(row.dedupeKey) : undefined;
    return { first: !!recorded?.inserted, pending: !!recorded?.pending };
  });
}
