type Json = unknown;

function jsonType(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function isPlaceholder(value: Json): boolean {
  return typeof value === "string" && value.includes("…");
}

function isRecord(value: Json): value is Record<string, Json> {
  return jsonType(value) === "object";
}

/** Items of mixed arrays (artifact messages, costs) are told apart by these fields. */
const DISCRIMINATORS = ["role", "type", "analysisType"];

function counterpart(example: Json, candidates: Json[]): Json {
  if (!isRecord(example)) return candidates[0];
  const keys = DISCRIMINATORS.filter((key) => typeof example[key] === "string");
  return candidates.find((candidate) => isRecord(candidate) && keys.every((key) => candidate[key] === example[key]));
}

/**
 * Every key of `example` must exist in `actual` with the same JSON type, recursively. Extra keys in
 * `actual` are fine (Vapi adds fields over time); the document's "…" placeholders are skipped.
 */
export function shapeMismatches(example: Json, actual: Json, path = "$"): string[] {
  if (isPlaceholder(example)) return [];
  const expectedType = jsonType(example);
  const actualType = jsonType(actual);
  if (expectedType !== actualType) return [`${path}: expected ${expectedType}, got ${actualType}`];
  if (isRecord(example) && isRecord(actual)) {
    return Object.entries(example).flatMap(([key, value]) => {
      if (key === "…") return [];
      if (!(key in actual)) return [`${path}.${key}: missing`];
      return shapeMismatches(value, actual[key], `${path}.${key}`);
    });
  }
  if (Array.isArray(example) && Array.isArray(actual)) {
    return example.flatMap((item, index) => {
      if (isPlaceholder(item)) return [];
      const match = counterpart(item, actual);
      if (match === undefined) return [`${path}[${index}]: no item like ${JSON.stringify(item).slice(0, 80)}`];
      return shapeMismatches(item, match, `${path}[${index}]`);
    });
  }
  return [];
}
