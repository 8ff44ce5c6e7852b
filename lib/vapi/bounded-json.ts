// A signed body is trusted to come from Vapi, not to be tame: it is parsed once and made safe for
// everything after it (recursive code, PostgreSQL's text and jsonb) before anything reads it.

/** Far deeper than any Vapi message (tool calls inside artifact messages reach about 8). */
export const MAX_JSON_DEPTH = 64;

type Container = { [key: string | number]: unknown };

export type BoundedJson = { ok: true; value: unknown } | { ok: false; status: 400 | 422; error: string };

/**
 * Parses a JSON text into a value whose nesting is at most MAX_JSON_DEPTH and whose strings (keys
 * too) hold no NUL and no lone UTF-16 surrogate (each becomes U+FFFD, as a decoder marks bytes it
 * cannot read): PostgreSQL refuses both. A text that could hold neither, nor a "__proto__" key, is
 * used as parsed; any other is copied, repaired, into null-prototype objects.
 * Iterative, so a body nested 100,000 deep is refused without touching the call stack.
 */
export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH): BoundedJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, error: "Body is not JSON." };
  }
  if (needsNoRepair(text)) {
    return nestingOf(text) > maxDepth
      ? { ok: false, status: 422, error: `Body is nested deeper than ${maxDepth} levels.` }
      : { ok: true, value: parsed };
  }
  // Each entry: a value to copy, its depth, and where its copy goes. No closure per value: this
  // runs over every field of every message, and a closure each (named by the TypeScript loader)
  // cost a tenth of the server's CPU at a thousand live calls.
  const root: Container = Object.create(null);
  const stack: [source: unknown, depth: number, into: Container, key: string | number][] = [[parsed, 0, root, "value"]];
  while (stack.length) {
    const [source, depth, into, key] = stack.pop()!;
    if (typeof source === "string") into[key] = safeString(source);
    else if (typeof source !== "object" || source === null) into[key] = source;
    else if (depth >= maxDepth)
      return { ok: false, status: 422, error: `Body is nested deeper than ${maxDepth} levels.` };
    else if (Array.isArray(source)) {
      const copy: unknown[] = new Array(source.length);
      into[key] = copy;
      for (let i = source.length - 1; i >= 0; i--) stack.push([source[i], depth + 1, copy as unknown as Container, i]);
    } else {
      // A null-prototype object: a "__proto__" key stays a plain key, never a prototype. Pushed
      // last key first, so the copy's keys come out in the original order.
      const copy: Container = Object.create(null);
      into[key] = copy;
      const keys = Object.keys(source);
      for (let i = keys.length - 1; i >= 0; i--)
        stack.push([(source as Record<string, unknown>)[keys[i]], depth + 1, copy, safeString(keys[i])]);
    }
  }
  return { ok: true, value: root.value };
}

/**
 * True for nearly every body. A NUL reaches a parsed string only as a `\u` escape (JSON refuses
 * it raw), a lone surrogate only as one or as itself (in a text not decoded from UTF-8), and a
 * "__proto__" key only as itself or through escapes: a text with none of these holds none.
 */
function needsNoRepair(text: string): boolean {
  return !text.includes("\\u") && !text.includes("__proto__") && text.isWellFormed();
}

/** How deeply the containers of a valid JSON text nest, read off its brackets outside strings. */
function nestingOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = closingQuote(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) deepest = Math.max(deepest, ++depth);
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

/** Where the string opened at `open` ends: the next quote after an even run of backslashes. */
function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); ; at = text.indexOf('"', at + 1)) {
    if (at === -1) return text.length; // not in a valid text; never loop on
    let before = at - 1;
    while (text.charCodeAt(before) === BACKSLASH) before--;
    if ((at - 1 - before) % 2 === 0) return at;
  }
}

const [QUOTE, BACKSLASH, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [...'"\\{}[]'].map((c) =>
  c.charCodeAt(0),
);

/** NULs and lone surrogates become U+FFFD: what PostgreSQL can store, and visibly not the original. */
export function safeString(text: string): string {
  const withoutNul = text.includes("\u0000") ? text.replaceAll("\u0000", REPLACEMENT_CHARACTER) : text;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

export const REPLACEMENT_CHARACTER = "\ufffd";
