// Field values, plausible and hostile, for the webhook fuzzer's messages.
import fc from "fast-check";

/** Generated once per run: timestamps in messages sit near the time the run started. */
export const RUN_STARTED_AT = Date.now();

export const LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "a\ud800b", "\udc00\ud800", "x\ud83d"] as const;

const nastyTexts = [
  ...LONE_SURROGATES,
  "\u0000",
  "a\u0000b",
  "\u0000\u0000\u0000",
  "\u202eevil\u202c",
  "\u200f\u05e9\u05dc\u05d5\u05dd",
  "مرحبا بك",
  "\u2066isolate\u2069",
  "👩‍👩‍👧‍👦",
  "🇺🇦🏳️‍🌈",
  "é",
  "e\u0301",
  "\ufeffbom",
  "\uffff\ufffe",
  "\u2028\u2029",
  "\r\n\t\b\f",
  "\\",
  '"',
  '\'; DROP TABLE "Call"; --',
  "${jndi:ldap://x}",
  "{{7*7}}",
  "%s%n%x",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "",
  " ",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e308",
  "-1",
  "0x10",
  "__proto__",
  "constructor",
  "prototype",
  "Call me at +1 (415) 555-0123 or ada@example.com",
  "4155550123 4155550124 4155550125",
];

/** Single UTF-16 code units, so lone surrogate halves come up as often as anything else. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...nastyTexts), weight: 4 },
  { arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 1 },
  {
    arbitrary: fc.tuple(fc.constantFrom(...nastyTexts), fc.string({ maxLength: 12 })).map(([a, b]) => `${b}${a}${b}`),
    weight: 2,
  },
);

const words = [
  "hi",
  "coach",
  "I",
  "want",
  "to",
  "talk",
  "about",
  "my",
  "week",
  "sleep",
  "goals",
  "yes",
  "no",
  "okay",
  "thanks",
  "run",
  "5k",
  "tomorrow",
];

export const plausibleText: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...words), { minLength: 1, maxLength: 14 })
  .map((ws) => `${ws.join(" ")}.`);

/**
 * Plausible most of the time, hostile now and then: in a hostile message each field turns on its
 * own, so most such messages hold one or two hostile values and a failure points at its cause.
 */
export const sometimes = <T>(plausible: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: plausible, weight: 9 }, { arbitrary: hostile, weight: 1 });

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      1e308,
      -1e308,
      1.7976931348623157e308,
      5e-324,
      -1,
      -0,
      0,
      2 ** 31,
      2 ** 53 + 2,
      -(2 ** 63),
      1e21,
      123456789.123456789,
    ),
    weight: 3,
  },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), weight: 1 },
);

/** Strings where a number belongs: what a sloppy or hostile sender puts in a numeric field. */
export const nanIshString = fc.constantFrom(
  "NaN",
  "Infinity",
  "-Infinity",
  "1e308",
  "12",
  " 12 ",
  "",
  "0x1F",
  "1,5",
  "null",
  "25.276s",
);

/** A decimal with `places` digits after the point, as Vapi rounds them (25.276 s, 0.0394 USD, 4.1213 min). */
export const decimal = (max: number, places: number) =>
  fc.integer({ min: 0, max: max * 10 ** places }).map((n) => n / 10 ** places);

export const plausibleDurationSeconds = decimal(3600, 3);

export const timestampMs = fc.oneof(
  { arbitrary: fc.integer({ min: -120_000, max: 5_000 }).map((offset) => RUN_STARTED_AT + offset), weight: 6 },
  // Float noise, ISO strings (before 2024-09), epoch seconds, and values no clock produces.
  { arbitrary: fc.integer({ min: -60_000, max: 0 }).map((offset) => RUN_STARTED_AT + offset + 0.001), weight: 1 },
  {
    arbitrary: fc.integer({ min: -60_000, max: 0 }).map((offset) => new Date(RUN_STARTED_AT + offset).toISOString()),
    weight: 1,
  },
  { arbitrary: fc.constant(Math.floor(RUN_STARTED_AT / 1000)), weight: 1 },
  { arbitrary: fc.oneof(hostileNumber, nanIshString, fc.constant(null)), weight: 1 },
);

export const isoTime = (offsetMinMs: number, offsetMaxMs: number) =>
  fc.integer({ min: offsetMinMs, max: offsetMaxMs }).map((offset) => new Date(RUN_STARTED_AT + offset).toISOString());

/** Keys that trip naive merges and lookups, and keys PostgreSQL's jsonb or our masking might choke on. */
export const hostileKey = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
  "",
  "\u0000",
  "k\u0000",
  "\ud800",
  "a.b",
  "$where",
  "💥",
  "\u202e",
);

/** A few extra fields, with hostile keys, to sprinkle into any object. */
export const extraFields: fc.Arbitrary<Record<string, unknown>> = fc
  .array(
    fc.tuple(
      fc.oneof(hostileKey, fc.string({ maxLength: 8 })),
      fc.oneof(hostileText, hostileNumber, fc.jsonValue({ maxDepth: 2 })),
    ),
    { maxLength: 2 },
  )
  // fromEntries defines "__proto__" as an own key, so JSON.stringify sends it (a literal would set the prototype).
  .map((entries) => Object.fromEntries(entries));

/** Call ids start with FRESH_ID_PREFIX when the case owns them; a re-run renames them so it meets no earlier row. */
export const FRESH_ID_PREFIX = "fz-";
export const freshCallId = fc.uuid().map((uuid) => `${FRESH_ID_PREFIX}${uuid}`);

export const hostileCallId = fc.oneof(
  fc.constantFrom(
    " ",
    "\u0000",
    "bad\u0000id",
    "\ud800",
    "x".repeat(10_000),
    "../../etc",
    "' OR 1=1 --",
    "__proto__",
    "constructor",
    "🙂",
  ),
  hostileText.filter((s) => s.length > 0),
);
