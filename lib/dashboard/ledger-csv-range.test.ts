import { describe, expect, it } from "vitest";
import { LedgerCsvRange } from "./schemas";

const issues = (raw: unknown) => {
  const parsed = LedgerCsvRange.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ field: i.path[0], message: i.message }));
};

describe("the ledger CSV's date range", () => {
  it("takes two UTC days, the first not after the second", () => {
    expect(issues({ from: "2026-01-01", to: "2026-01-31" })).toEqual([]);
    expect(issues({ from: "2026-01-31", to: "2026-01-31" })).toEqual([]);
  });

  it("says in plain words what is wrong, and on which field", () => {
    expect(issues({ from: "2026-02-01", to: "2026-01-01" })).toEqual([
      { field: "to", message: "The end date must not be before the start date." },
    ]);
    expect(issues({ from: "", to: "2026-01-01" })).toEqual([{ field: "from", message: "Use a date like 2026-01-31." }]);
  });
});
