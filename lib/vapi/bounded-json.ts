// A signed body is trusted to come from Vapi, not to be tame: it is parsed once and made safe for
// everything after it (recursive code, PostgreSQL's text and jsonb) before anything reads it.

/** Far deeper than any Vapi message (tool calls inside artifact messages reach about 8). */
export const MAX_JSON_DEPTH = 64;

export type BoundedJson = { ok: true; value: unknown } | { ok: false; status: 400 | 422; error: string };

/**
 * Parses a JSON text into a copy whose nesting is at most MAX_JSON_DEPTH and whose strings (keys
 * too) hold no NUL and no lone UTF-16 surrogate (each becomes U+FFFD, as a decoder marks bytes it
 * cannot read): PostgreSQL refuses both.
 * Iterative, so a body nested 100,000 deep is refused without touching the call stack.
 */
export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH): BoundedJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, error: "Body is not JSON." };
  }
  const root: { value: unknown } = { value: undefined };
  const stack: { source: unknown; depth: number; put: (v: unknown) => void }[] = [
    { source: parsed, depth: 0, put: (v) => (root.value = v) },
  ];
  while (stack.length) {
    const { source, depth, put } = stack.pop()!;
    if (typeof source === "string") put(safeString(source));
    else if (typeof source !== "object" || source === null) put(source);
    else if (depth >= maxDepth)
      return { ok: false, status: 422, error: `Body is nested deeper than ${maxDepth} levels.` };
    else if (Array.isArray(source)) {
      const copy: unknown[] = new Array(source.length);
      put(copy);
      source.forEach((item, i) => stack.push({ source: item, depth: depth + 1, put: (v) => (copy[i] = v) }));
    } else {
      // A null-prototype object: a "__proto__" key stays a plain key, never a prototype.
      const copy: Record<string, unknown> = Object.create(null);
      put(copy);
      for (const [key, item] of Object.entries(source))
        stack.push({ source: item, depth: depth + 1, put: (v) => (copy[safeString(key)] = v) });
    }
  }
  return { ok: true, value: root.value };
}

/** NULs and lone surrogates become U+FFFD: what PostgreSQL can store, and visibly not the original. */
export function safeString(text: string): string {
  const withoutNul = text.includes("\u0000") ? text.replaceAll("\u0000", REPLACEMENT_CHARACTER) : text;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

export const REPLACEMENT_CHARACTER = "\ufffd";
