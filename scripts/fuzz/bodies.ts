// Turns a case's body spec into the bytes sent, and the text the server will decode from them.
import { FILL_MARKER, PAID_METADATA_MARKER, type BodySpec, type Fill } from "./case";
import { EMULATOR_URL_PLACEHOLDER } from "./messages";
import { FRESH_ID_PREFIX } from "./values";

export type RenderContext = {
  emulatorUrl: string;
  /** Renames the case's own call ids, so a re-run of a case meets none of the rows its first run wrote. */
  salt: string;
  paidMetadata?: unknown;
};

export type RenderedBody = { bytes: Buffer; text: string };

export function renderBody(spec: BodySpec, ctx: RenderContext): RenderedBody {
  const json = spec.kind === "text" ? spec.text : (JSON.stringify(spec.value) ?? "");
  const substituted = substitute(json, ctx);
  if (spec.kind === "text" || !spec.fill) return fromBytes(Buffer.from(substituted));
  const marker = JSON.stringify(FILL_MARKER);
  const at = substituted.indexOf(marker);
  if (at < 0) throw new Error("a body with a fill has no fill marker");
  const before = Buffer.from(substituted.slice(0, at));
  const after = Buffer.from(substituted.slice(at + marker.length));
  return fromBytes(Buffer.concat([before, fillBytes(spec.fill, before.length + after.length), after]));
}

// The server verifies the signature over the body decoded as UTF-8 (invalid bytes become U+FFFD, a BOM goes).
const fromBytes = (bytes: Buffer): RenderedBody => ({ bytes, text: new TextDecoder().decode(bytes) });

export function substitute(json: string, ctx: RenderContext): string {
  let out = json.replaceAll(EMULATOR_URL_PLACEHOLDER, ctx.emulatorUrl);
  if (ctx.salt) out = out.replaceAll(FRESH_ID_PREFIX, `${FRESH_ID_PREFIX}${ctx.salt}-`);
  if (ctx.paidMetadata !== undefined)
    out = out.replaceAll(JSON.stringify(PAID_METADATA_MARKER), JSON.stringify(ctx.paidMetadata));
  return out;
}

export const saltedId = (callId: string, salt: string) =>
  salt ? callId.replace(FRESH_ID_PREFIX, `${FRESH_ID_PREFIX}${salt}-`) : callId;

function fillBytes(fill: Fill, surroundingBytes: number): Buffer {
  switch (fill.kind) {
    case "nested":
      return Buffer.from(nested(fill.depth, fill.shape));
    case "padding":
      return padding(fill.style, Math.max(2, fill.totalBytes - surroundingBytes));
    case "token":
      return Buffer.from(JSON.stringify(token(fill.length, fill.alphabet)));
    case "raw":
      return Buffer.from(fill.json);
    case "bytes":
      return Buffer.concat([Buffer.from('"a'), Buffer.from(fill.hex, "hex"), Buffer.from('b"')]);
  }
}

function nested(depth: number, shape: "array" | "object" | "mixed"): string {
  if (shape === "array") return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
  if (shape === "object") return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const half = Math.floor(depth / 2);
  return `${'[{"a":'.repeat(half)}1${"}]".repeat(half)}`;
}

const PADDING_UNITS = {
  words: ["okay ", "so ", "my ", "week ", "was ", "long ", "and ", "I ", "slept ", "badly "],
  accented: ["café ", "naïve ", "日本 ", "😀 ", "ĳ "],
  objects: [
    '{"word":"okay","start":1.25,"end":1.5,"confidence":0.98},',
    '{"word":"week","start":1.5,"end":1.9,"confidence":0.91},',
  ],
};

/** Exactly `bytes` bytes of JSON (a string, or an array of word timings), like the bulk of a real report. */
function padding(style: "words" | "objects" | "accented", bytes: number): Buffer {
  const units = PADDING_UNITS[style].map((unit) => Buffer.from(unit));
  const [open, close] = style === "objects" ? ["[", '{"word":"end"}]'] : ['"', '"'];
  const parts: Buffer[] = [Buffer.from(open)];
  let size = open.length + close.length;
  for (let i = 0; size + units[i % units.length].length <= bytes; i++) {
    parts.push(units[i % units.length]);
    size += units[i % units.length].length;
  }
  // Whitespace fills the last few bytes: inside the string, or between array items.
  parts.push(Buffer.from(" ".repeat(Math.max(0, bytes - size))), Buffer.from(close));
  return Buffer.concat(parts);
}

const ALPHABETS = {
  letters: "abcdefghijklmnopqrstuvwxyz",
  digits: "0123456789",
  base64: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
  dotted: "a.",
};

/** One long unbroken token, as a base64 blob or a run-on transcriber output would be. */
function token(length: number, alphabet: keyof typeof ALPHABETS): string {
  const chars = ALPHABETS[alphabet];
  let out = "";
  for (let i = 0; i < length; i++) out += chars[(i * 7 + (i >> 3)) % chars.length];
  return out;
}
