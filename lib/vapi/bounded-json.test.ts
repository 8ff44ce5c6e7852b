import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseBoundedJson } from "./bounded-json";

describe("parseBoundedJson", () => {
  it("copies a message whole, keys in their order", () => {
    const text = JSON.stringify({ message: { type: "x", b: [1, "two", null, { c: true }], a: 1.5 } });
    const parsed = parseBoundedJson(text);
    expect(parsed).toEqual({ ok: true, value: JSON.parse(text) });
    expect(JSON.stringify(parsed.ok && parsed.value)).toBe(text);
  });

  it("replaces NULs and lone surrogates in values and keys", () => {
    const parsed = parseBoundedJson(String.raw`{"a\u0000b": ["x\ud800y", "ok"]}`);
    expect(parsed).toEqual({ ok: true, value: { "a\ufffdb": ["x\ufffdy", "ok"] } });
  });

  it("replaces a lone surrogate that came as itself, in a text not decoded from UTF-8", () => {
    expect(parseBoundedJson(`{"a": "x\ud800y"}`)).toEqual({ ok: true, value: { a: "x\ufffdy" } });
  });

  it("keeps a __proto__ key spelled with escapes as a plain key", () => {
    const parsed = parseBoundedJson(String.raw`{"\u005f_proto__": {"polluted": true}}`);
    const value = (parsed as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });

  it("keeps a __proto__ key as a plain key", () => {
    const parsed = parseBoundedJson(`{"__proto__": {"polluted": true}}`);
    expect(parsed.ok).toBe(true);
    const value = (parsed as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses nesting deeper than the bound, however deep, and takes it at the bound", () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    expect(parseBoundedJson(nested(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(parseBoundedJson(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ ok: false, status: 422 });
    expect(parseBoundedJson(nested(100_000))).toMatchObject({ ok: false, status: 422 });
    expect(parseBoundedJson("{not json")).toMatchObject({ ok: false, status: 400 });
  });

  it("holds to the same bound when the text needs repair", () => {
    const nested = (depth: number) => "[".repeat(depth - 1) + String.raw`["\u0000"]` + "]".repeat(depth - 1);
    expect(parseBoundedJson(nested(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(parseBoundedJson(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ ok: false, status: 422 });
  });

  it("counts only the brackets outside strings, around escaped quotes and backslashes", () => {
    const deep = "[".repeat(100) + "]".repeat(100);
    const text = JSON.stringify({ a: deep, b: `say "${deep}"`, c: "\\", d: deep });
    expect(parseBoundedJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
  });
});
