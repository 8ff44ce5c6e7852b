type Row = Record<string, unknown>;

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

function table(rows: Row[], columns: string[]): string {
  const cell = (value: unknown) => (value === null || value === undefined ? "-" : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index]))
      .join("  ")
      .trimEnd();
  return [line(columns), ...rows.map((row) => line(columns.map((column) => cell(row[column]))))].join("\n");
}

export function printCalls(calls: unknown, raw: boolean): void {
  if (raw) return printJson(calls);
  const rows = calls as Row[];
  if (rows.length === 0) return console.log("No calls yet.");
  console.log(table(rows, ["id", "status", "endedReason", "customer", "createdAt", "deliveries"]));
}

export function printDeliveries(entries: unknown, raw: boolean): void {
  if (raw) return printJson(entries);
  const rows = (entries as Row[]).map((entry) => ({
    ...entry,
    message: entry.status ? `${entry.type}:${entry.status}` : entry.type,
    result: entry.httpStatus ?? entry.error ?? "",
    ms: entry.durationMs,
  }));
  if (rows.length === 0) return console.log("No deliveries.");
  console.log(table(rows, ["seq", "at", "callId", "message", "outcome", "result", "ms", "attempt", "fault"]));
}

export function printCall(details: unknown, raw: boolean): void {
  if (raw) return printJson(details);
  const { call, live, deliveries, controlLog } = details as {
    call: Row;
    live: Row;
    deliveries: Row[];
    controlLog: Row[];
  };
  const monitor = (call.monitor ?? {}) as Row;
  console.log(`Call ${call.id}`);
  console.log(`  status        ${call.status}${call.endedReason ? ` (${call.endedReason})` : ""}`);
  console.log(`  created       ${call.createdAt}`);
  if (call.startedAt) console.log(`  started       ${call.startedAt}`);
  if (call.endedAt) console.log(`  ended         ${call.endedAt}`);
  if (call.cost !== undefined) console.log(`  cost          $${call.cost}`);
  console.log(
    `  customer      ${(live.customer as Row | null)?.via ?? "not joined"}${live.browserConnected ? " (browser connected)" : ""}`,
  );
  console.log(`  webhooks to   ${(live.delivery as Row | null)?.url ?? "(no server url)"}`);
  console.log(`  control url   ${monitor.controlUrl ?? "(disabled)"}`);
  if (call.assistantOverrides) console.log(`  overrides     ${JSON.stringify(call.assistantOverrides)}`);
  console.log("\nDeliveries");
  printDeliveries(deliveries, false);
  console.log("\nControl requests");
  if (controlLog.length === 0) console.log("None.");
  else
    console.log(
      table(
        controlLog.map((entry) => ({ ...entry, body: JSON.stringify(entry.body) })),
        ["at", "source", "httpStatus", "body", "error"],
      ),
    );
}
