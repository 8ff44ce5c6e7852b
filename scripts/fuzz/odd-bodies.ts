// Bodies that are odd as text rather than as messages: not JSON, hostile escapes and bytes, deep
// nesting, sizes around the 1 MB cap, and long unbroken tokens.
import fc from "fast-check";
import { FILL_MARKER, type Fill } from "./case";
import { BAD_SHAPE, MAX_BODY_BYTES, OK, SURVIVE, replyFor, replyForFilled, request, single, transfer } from "./expect";
import { anyKnownMessage, type Json } from "./messages";
import { LONE_SURROGATES } from "./values";

const BROKEN_JSON = [
  "",
  " ",
  "{",
  "}",
  "[",
  '{"message":',
  "{'message':{}}",
  '{"message":{"type":"hang"},}',
  '{"message":NaN}',
  '{"message":{"type":"hang"}}//c',
  "/* */{}",
  '{"message":{"type":"hang"}}{}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":01}',
  '{"a":1e}',
  '{"a":+1}',
  '{"a":.5}',
  '{"a":"\n"}',
  "nul\u0000",
  '{"message":{"type":"hang"}',
  "\u0000{}",
  "undefined",
];
for (const text of BROKEN_JSON) if (parses(text)) throw new Error(`not malformed: ${JSON.stringify(text)}`);

export const malformed = fc
  .oneof(
    fc.constantFrom(...BROKEN_JSON),
    // Any proper prefix of an object's JSON is not JSON.
    fc.tuple(anyKnownMessage("plausible"), fc.double({ min: 0, max: 0.999, noNaN: true })).map(([message, cut]) => {
      const text = JSON.stringify({ message });
      return text.slice(0, Math.floor(cut * text.length));
    }),
  )
  .map((text) => single("malformed-json", request({ kind: "text", text }, [400])));

/** Where in a message the raw fill goes: the text fields that reach the database or the masking code. */
const TEXT_SLOTS: Record<string, (m: Json) => Json> = {
  transcript: (m) => ({ ...m, type: "transcript", role: "user", transcriptType: "final", transcript: FILL_MARKER }),
  summary: (m) => ({
    ...m,
    type: "end-of-call-report",
    endedReason: "customer-ended-call",
    analysis: { summary: FILL_MARKER },
    durationSeconds: 12.5,
  }),
  "report transcript": (m) => ({
    ...m,
    type: "end-of-call-report",
    endedReason: "customer-ended-call",
    artifact: { transcript: FILL_MARKER },
  }),
  "conversation line": (m) => ({
    ...m,
    type: "conversation-update",
    messages: [{ role: "user", message: FILL_MARKER }],
  }),
  "ended reason": (m) => ({ ...m, type: "status-update", status: "ended", endedReason: FILL_MARKER }),
  "call id": (m) => ({ ...m, type: "hang", call: { ...(m.call as Json), id: FILL_MARKER } }),
  "tool call id": (m) => ({
    ...m,
    type: "tool-calls",
    toolCallList: [{ id: FILL_MARKER, type: "function", function: { name: "getRemainingCredits", arguments: {} } }],
  }),
  "extra field": (m) => ({ ...m, type: "speech-update", status: "started", role: "user", note: FILL_MARKER }),
};
const slot = fc.constantFrom(...Object.keys(TEXT_SLOTS));
const withSlot = (name: string) => anyKnownMessage("plausible").map((m) => TEXT_SLOTS[name](m));

const RAW_STRINGS = [
  ...LONE_SURROGATES.map((s) => JSON.stringify(s)),
  '"\\ud800"',
  '"\\uDFFF"',
  '"a\\ud800b"',
  '"\\udc00\\ud800"',
  '"\\ud800\\u0041"',
  '"\\ud83d"',
  '"x\\ude00"',
  '"\\ud83d\\ude00"',
  '"\\u0000"',
  '"a\\u0000b"',
  '"\\u202e\\u0000\\ud800"',
  '"\\uFFFF\\uFFFE"',
  '"\\u2028\\u2029"',
  '"\\/\\b\\f\\n\\r\\t"',
];
const INVALID_UTF8 = ["ff", "c0af", "eda080", "edbfbf", "f4908080", "c3", "e282", "f09f98", "80", "fe", "efbbbf"];

export const rawUnicode = slot.chain((name) =>
  fc
    .tuple(
      withSlot(name),
      fc.oneof(
        fc.constantFrom(...RAW_STRINGS).map((json): Fill => ({ kind: "raw", json })),
        fc.constantFrom(...INVALID_UTF8).map((hex): Fill => ({ kind: "bytes", hex })),
      ),
    )
    .map(([message, fill]) =>
      single(`unicode/${name}`, request({ kind: "json", value: { message }, fill }, SURVIVE, replyForFilled(message))),
    ),
);

const DEPTHS = [10_000, 10_000, 10_000, 1_000, 100_000];
const nestedFill = fc.record({
  kind: fc.constant("nested" as const),
  depth: fc.constantFrom(...DEPTHS),
  shape: fc.constantFrom("array" as const, "object" as const, "mixed" as const),
});
const NEST_SITES: Record<string, (m: Json) => unknown> = {
  root: () => FILL_MARKER,
  message: () => ({ message: FILL_MARKER }),
  field: (m) => ({ message: { ...m, deep: FILL_MARKER } }),
  metadata: (m) => ({
    message: {
      ...m,
      type: "status-update",
      status: "in-progress",
      call: { ...(m.call as Json), assistantOverrides: { metadata: FILL_MARKER } },
    },
  }),
  "tool arguments": (m) => ({
    message: {
      ...m,
      type: "tool-calls",
      toolCallList: [{ id: "t1", type: "function", function: { name: "getRemainingCredits", arguments: FILL_MARKER } }],
    },
  }),
  call: (m) => ({ message: { ...m, call: { ...(m.call as Json), deep: FILL_MARKER } } }),
};
export const nested = fc
  .tuple(fc.constantFrom(...Object.keys(NEST_SITES)), anyKnownMessage("plausible"), nestedFill)
  .map(([site, message, fill]) => {
    // A nest of arrays where an object must be is a bad shape; elsewhere the message is valid and only deep.
    const shapeBreaks = site === "root" || site === "message" || (site === "tool arguments" && fill.shape !== "object");
    return single(
      `nested/${site}`,
      request({ kind: "json", value: NEST_SITES[site](message), fill }, shapeBreaks ? BAD_SHAPE : [200, 400, 422]),
    );
  });

export const huge = fc
  .tuple(
    anyKnownMessage("plausible"),
    fc.oneof(
      fc.nat(4_000).map((under) => MAX_BODY_BYTES - under),
      fc.constant(MAX_BODY_BYTES),
      fc.nat(100_000).map((over) => MAX_BODY_BYTES + 1 + over),
      fc.constant(3_000_000),
    ),
    fc.constantFrom("words" as const, "objects" as const, "accented" as const),
    transfer,
  )
  .map(([message, totalBytes, style, via]) => {
    const over = totalBytes > MAX_BODY_BYTES;
    const fill: Fill = { kind: "padding", totalBytes, style };
    return single(
      `huge/${over ? "over-cap" : "near-cap"}`,
      request({ kind: "json", value: { message: { ...message, padding: FILL_MARKER } }, fill }, over ? [413] : OK, {
        transfer: via,
        ...(over ? {} : replyFor(message)),
      }),
    );
  });

export const longToken = fc
  .tuple(
    slot.filter((s) => s !== "call id" && s !== "tool call id" && s !== "ended reason"),
    fc.integer({ min: 2_000, max: 60_000 }),
    fc.constantFrom("letters" as const, "digits" as const, "base64" as const, "dotted" as const),
  )
  .chain(([name, length, alphabet]) =>
    withSlot(name).map((message) =>
      single(
        `long-token/${name}`,
        request(
          { kind: "json", value: { message }, fill: { kind: "token", length, alphabet } },
          OK,
          replyForFilled(message),
        ),
      ),
    ),
  );

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
