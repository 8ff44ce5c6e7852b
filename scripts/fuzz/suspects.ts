// What in a failing case is likely to blame: a 500 carries no reason, so failures are grouped by the
// hostile things their bodies hold (a lone surrogate, an extreme duration, deep nesting…).
import { renderBody } from "./bodies";
import type { Case, RequestSpec } from "./case";

const MAX_PLAUSIBLE_DEPTH = 64;
const HUGE_BODY_BYTES = 500_000;
/** Fields that hold counts, durations or money: the ones a database column or an integer must fit. */
const NUMERIC_FIELDS = new Set([
  "durationSeconds",
  "durationMs",
  "durationMinutes",
  "cost",
  "turn",
  "secondsFromStart",
  "duration",
  "time",
]);
const MAX_PLAUSIBLE_NUMBER = 10_000_000;

const LONE_HIGH = /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})/;
const LONE_LOW = /(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;
const LONG_TOKEN = /[A-Za-z0-9+/.]{2000,}/;

export function suspectsOf(c: Case): string[] {
  return [...new Set(c.requests.flatMap((r) => requestSuspects(r, c.paid)))].sort();
}

export function requestSuspects(r: RequestSpec, paid: boolean): string[] {
  const { bytes, text } = renderBody(r.body, {
    emulatorUrl: "http://emulator",
    salt: "",
    paidMetadata: paid ? {} : undefined,
  });
  const found: string[] = [];
  if (bytes.length > HUGE_BODY_BYTES) found.push("huge body");
  if (LONE_HIGH.test(text) || LONE_LOW.test(text)) found.push("lone surrogate");
  if (text.includes("\\u0000")) found.push("NUL");
  if (text.includes("\ufffd")) found.push("bytes that are not UTF-8");
  if (LONG_TOKEN.test(text)) found.push("long token");
  if (depthOf(text) > MAX_PLAUSIBLE_DEPTH) found.push("deep nesting");
  else found.push(...new Set(extremeNumbers(text).map((key) => `extreme ${key}`)));
  return found;
}

/** Nesting depth of a JSON text, counted outside strings (iterative: the text may be 100,000 deep). */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "[" || ch === "{") max = Math.max(max, ++depth);
    else if (ch === "]" || ch === "}") depth--;
  }
  return max;
}

function extremeNumbers(text: string): string[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return [];
  }
  const found: string[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "object") stack.push(item);
      else if (typeof item === "number" && NUMERIC_FIELDS.has(key) && !plausible(key, item)) found.push(key);
    }
  }
  return found;
}

const plausible = (key: string, n: number) =>
  key === "time" ? n >= 0 && n < 1e14 : n >= 0 && n <= MAX_PLAUSIBLE_NUMBER && (n === 0 || n >= 1e-9);

/** The order suspects are blamed in when a case holds several (the likeliest to break things first). */
const BLAME_ORDER = [
  "deep nesting",
  "long token",
  "lone surrogate",
  "NUL",
  ...[...NUMERIC_FIELDS].map((key) => `extreme ${key}`),
  "bytes that are not UTF-8",
  "huge body",
];

/** The one suspect a failure is filed under; the case's others are printed with it. */
export function primarySuspect(suspects: string[]): string {
  return BLAME_ORDER.find((s) => suspects.includes(s)) ?? "no suspect";
}
