import { describe, expect, it } from "vitest";
import { DatabaseError } from "pg";
import { batched } from "./batched";
import type { Db } from "./client";

type Row = { lane: string; value: string };

/** A batched statement that records each statement's rows; `refuse` names values it rejects as PostgreSQL would. */
function recordingStatement(refuse: { value: string; code: string } | null = null) {
  const statements: string[][] = [];
  const releases: (() => void)[] = [];
  const run = batched<Row, string>({
    laneOf: (row) => row.lane,
    run: async (_db, rows) => {
      statements.push(rows.map((r) => r.value));
      await new Promise<void>((resolve) => releases.push(resolve));
      const bad = rows.find((r) => r.value === refuse?.value);
      if (bad) throw Object.assign(new DatabaseError(`refused ${bad.value}`, 0, "error"), { code: refuse!.code });
      return rows.map((r) => `done ${r.value}`);
    },
  });
  /** Lets the statements under way finish, until none is left. */
  const drain = async () => {
    for (let i = 0; i < 20; i++) {
      releases.splice(0).forEach((release) => release());
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  return { run, statements, drain };
}

const db = {} as Db;
const row = (value: string, lane = value): Row => ({ lane, value });

describe("batched", () => {
  it("runs a lone row at once, and the rows that come while it runs together in the next statement", async () => {
    const { run, statements, drain } = recordingStatement();
    const results = Promise.all(["a", "b", "c", "d"].map((v) => run(db, row(v))));
    await drain();
    expect(await results).toEqual(["done a", "done b", "done c", "done d"]);
    expect(statements).toEqual([["a"], ["b", "c", "d"]]);
  });

  it("keeps a lane's rows out of a statement while another statement carries that lane", async () => {
    const { run, statements, drain } = recordingStatement();
    const results = Promise.all([run(db, row("a1", "a")), run(db, row("b1", "b"))]);
    await new Promise((resolve) => setTimeout(resolve, 30)); // b1 has waited long enough for a second statement
    const later = run(db, row("a2", "a"));
    await drain();
    await Promise.all([results, later]);
    expect(statements.slice(0, 2)).toEqual([["a1"], ["b1"]]);
    expect(statements[2]).toEqual(["a2"]);
  });

  it.each([
    ["a value it refuses", "23505"],
    ["a deadlock", "40P01"],
  ])("runs the rows again one by one after %s, failing only the row at fault", async (_name, code) => {
    const { run, statements, drain } = recordingStatement({ value: "bad", code });
    const results = Promise.allSettled(["lead", "x", "bad", "y"].map((v) => run(db, row(v))));
    await drain();
    expect((await results).map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(statements).toEqual([["lead"], ["x", "bad", "y"], ["x"], ["bad"], ["y"]]);
  });

  it("fails every row of a statement that failed for no row's fault (a lost connection), without running them again", async () => {
    const failing = batched<Row, string>({
      laneOf: (r) => r.lane,
      run: async () => {
        throw new Error("Connection terminated");
      },
    });
    const results = await Promise.allSettled(["a", "b", "c"].map((v) => failing(db, row(v))));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
  });
});
