import { DatabaseError } from "pg";
import type { Db } from "./client";

/**
 * One kind of statement run for many rows at once: `run` puts any number of rows in one statement
 * and gives one result per row, in their order. `laneOf` names what two statements must not carry
 * at once (a call): a row waits while another statement carries its lane.
 */
export type Batch<Row, Result> = {
  laneOf: (row: Row) => string;
  run: (db: Db, rows: Row[]) => Promise<Result[]>;
};

/** `since`: when it came (performance.now()). */
type Pending<Row, Result> = {
  row: Row;
  settle: (result: Result) => void;
  fail: (error: unknown) => void;
  since: number;
};
type Queue<Row, Result> = { waiting: Pending<Row, Result>[]; running: number; busy: Set<string> };

const MAX_ROWS_PER_STATEMENT = 200;
/**
 * One statement at a time groups the most rows per commit, which is cheapest while it keeps up.
 * When a row has waited this long for its turn (at a thousand live calls a statement of 200 event
 * rows took 0.3–0.7 s, and more arrived meanwhile), up to two more start: PostgreSQL runs them on
 * its other cores.
 */
const MORE_AFTER_WAITING_MS = 25;
const MAX_AT_ONCE = 3;

/**
 * Group commit for the statements every webhook message runs: rows that arrive while a statement
 * is under way go out together in the next one, one statement and one commit for the lot (a lone
 * row goes at once, so nothing waits under light load). A lane's rows are written in the order they
 * came. A statement PostgreSQL refuses for one row's values, or aborts on a deadlock, runs again
 * row by row, so each row gets its own outcome and one bad row fails only itself.
 */
export function batched<Row, Result>(spec: Batch<Row, Result>): (db: Db, row: Row) => Promise<Result> {
  const queues = new WeakMap<Db, Queue<Row, Result>>();
  return (db, row) => {
    let queue = queues.get(db);
    if (!queue) queues.set(db, (queue = { waiting: [], running: 0, busy: new Set() }));
    const result = new Promise<Result>((settle, fail) =>
      queue.waiting.push({ row, settle, fail, since: performance.now() }),
    );
    const behind = performance.now() - queue.waiting[0].since >= MORE_AFTER_WAITING_MS;
    if (queue.running === 0 || (behind && queue.running < MAX_AT_ONCE)) void runQueued(db, queue, spec);
    return result;
  };
}

/** The next batch: waiting rows whose lane no statement is carrying, in the order they came, at most MAX_ROWS_PER_STATEMENT. */
function takeBatch<Row, Result>(queue: Queue<Row, Result>, laneOf: (row: Row) => string) {
  const batch: Pending<Row, Result>[] = [];
  const kept: Pending<Row, Result>[] = [];
  for (const p of queue.waiting) {
    if (batch.length < MAX_ROWS_PER_STATEMENT && !queue.busy.has(laneOf(p.row))) batch.push(p);
    else kept.push(p);
  }
  queue.waiting = kept;
  return batch;
}

async function runQueued<Row, Result>(db: Db, queue: Queue<Row, Result>, spec: Batch<Row, Result>) {
  queue.running++;
  try {
    for (let batch = takeBatch(queue, spec.laneOf); batch.length; batch = takeBatch(queue, spec.laneOf)) {
      const lanes = new Set(batch.map((p) => spec.laneOf(p.row)));
      lanes.forEach((lane) => queue.busy.add(lane));
      try {
        await runBatch(db, batch, spec);
      } catch (error) {
        if (!worthRunningAlone(error) || batch.length === 1) batch.forEach((p) => p.fail(error));
        else for (const p of batch) await runBatch(db, [p], spec).catch(p.fail);
      } finally {
        lanes.forEach((lane) => queue.busy.delete(lane));
      }
    }
  } finally {
    queue.running--;
  }
}

async function runBatch<Row, Result>(db: Db, batch: Pending<Row, Result>[], spec: Batch<Row, Result>) {
  const results = await spec.run(
    db,
    batch.map((p) => p.row),
  );
  batch.forEach((p, i) => p.settle(results[i]));
}

/**
 * PostgreSQL refused the values (data exception, constraint violation: one row's doing) or chose
 * the statement as a deadlock's victim (a row alone holds fewer locks). Not a timeout or a lost
 * connection, which running again at once would only repeat.
 */
const worthRunningAlone = (error: unknown) =>
  error instanceof DatabaseError && /^(2[23]|40P01|40001)/.test(error.code ?? "");
