// What the fuzzer prints: the summary, and each failing case so that it can be read and replayed.
import { FILL_MARKER, type Case, type Fill, type RequestSpec } from "./case";
import type { Outcome } from "./wire";

const PREVIEW_CHARS = 700;

export function describeCase(c: Case): string {
  const lines = [
    `category ${c.category}${c.paid ? " (a paid call: metadata from a real reservation)" : ""}${c.together ? " (requests sent at once)" : ""}`,
  ];
  for (const [i, r] of c.requests.entries())
    lines.push(`  request ${i + 1}: ${describeRequest(r)}`, `    body: ${describeBody(r)}`);
  for (const check of c.checks) lines.push(`  check: ${JSON.stringify(check)}`);
  return lines.join("\n");
}

function describeRequest(r: RequestSpec): string {
  const parts = [`auth ${JSON.stringify(r.auth)}`, r.transfer === "chunked" ? "chunked" : "content-length"];
  if (r.origin) parts.unshift(r.origin);
  if (r.sends > 1) parts.push(`sent ${r.sends}× ${r.parallel ? "at once" : "in turn"}`);
  if (r.forwardedFor !== undefined) parts.push(`x-forwarded-for ${JSON.stringify(r.forwardedFor)}`);
  if (r.contentType) parts.push(`content-type ${r.contentType}`);
  parts.push(`expects ${r.expect.join("/")}`);
  return parts.join(", ");
}

function describeBody(r: RequestSpec): string {
  if (r.body.kind === "text") return `text ${preview(JSON.stringify(r.body.text))}`;
  const json = preview(JSON.stringify(r.body.value) ?? "undefined");
  return r.body.fill
    ? `${json}\n    with ${JSON.stringify(FILL_MARKER)} replaced by ${describeFill(r.body.fill)}`
    : json;
}

function describeFill(f: Fill): string {
  switch (f.kind) {
    case "nested":
      return `${f.depth} levels of ${f.shape === "mixed" ? '[{"a":…}]' : f.shape === "array" ? "[…]" : '{"a":…}'}`;
    case "padding":
      return `${f.style} padding up to a ${f.totalBytes}-byte body`;
    case "token":
      return `a ${f.length}-character token of ${f.alphabet}`;
    case "raw":
      return `the JSON text ${f.json}`;
    case "bytes":
      return `a JSON string holding the bytes 0x${f.hex} (not UTF-8)`;
  }
}

const preview = (s: string) =>
  s.length <= PREVIEW_CHARS ? s : `${s.slice(0, PREVIEW_CHARS - 100)} …(${s.length} chars)… ${s.slice(-100)}`;

export type Tally = {
  byCategory: Map<string, number>;
  statuses: Map<string, number>;
  slowest: { index: number; category: string; ms: number }[];
};

export const newTally = (): Tally => ({ byCategory: new Map(), statuses: new Map(), slowest: [] });

const SLOWEST_KEPT = 5;

export function tallyCase(t: Tally, index: number, c: Case, outcomes: Outcome[]) {
  bump(t.byCategory, c.category.split("/")[0]);
  for (const o of outcomes) bump(t.statuses, String(o.status));
  const ms = Math.max(0, ...outcomes.map((o) => o.ms));
  t.slowest.push({ index, category: c.category, ms });
  t.slowest.sort((a, b) => b.ms - a.ms).splice(SLOWEST_KEPT);
}

export function printSummary(
  t: Tally,
  o: { cases: number; requests: number; seconds: number; restarts: number; phases: string[] },
) {
  console.log(
    `\n${o.cases} cases, ${o.requests} requests in ${o.seconds.toFixed(1)} s (${(o.requests / o.seconds).toFixed(0)} req/s); app restarted ${o.restarts}× after hangs`,
  );
  for (const line of o.phases) console.log(`  ${line}`);
  console.log(
    `cases by category: ${sorted(t.byCategory)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  console.log(
    `statuses: ${sorted(t.statuses)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ")}`,
  );
  console.log(`slowest replies: ${t.slowest.map((s) => `#${s.index} ${s.category} ${s.ms.toFixed(0)} ms`).join(", ")}`);
}

const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
