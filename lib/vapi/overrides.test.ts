import { describe, expect, it } from "vitest";
import { findForbiddenOverrides } from "./overrides";

const limits = { maxDurationSeconds: 300 };

describe("findForbiddenOverrides", () => {
  it("accepts no overrides and the allow-listed ones", () => {
    expect(findForbiddenOverrides(undefined, limits)).toEqual([]);
    expect(findForbiddenOverrides(null, limits)).toEqual([]);
    expect(
      findForbiddenOverrides(
        { metadata: { userId: "u" }, variableValues: { firstName: "Ada" }, maxDurationSeconds: 300 },
        limits,
      ),
    ).toEqual([]);
    expect(findForbiddenOverrides({ maxDurationSeconds: 120 }, limits)).toEqual([]);
  });

  it("flags a longer, missing-valued or non-numeric maxDurationSeconds", () => {
    expect(findForbiddenOverrides({ maxDurationSeconds: 43200 }, limits)).toEqual(["maxDurationSeconds"]);
    expect(findForbiddenOverrides({ maxDurationSeconds: null }, limits)).toEqual(["maxDurationSeconds"]);
    expect(findForbiddenOverrides({ maxDurationSeconds: "300" }, limits)).toEqual(["maxDurationSeconds"]);
  });

  it("flags every key that could redirect webhooks, hide the control URL or cost more", () => {
    const tampered = {
      metadata: { userId: "u" },
      server: { url: "https://attacker.example/hook" },
      serverMessages: [],
      monitorPlan: { controlEnabled: false },
      model: { provider: "openai", model: "gpt-4.1" },
      maxDurationSeconds: 600,
    };
    expect(findForbiddenOverrides(tampered, limits)).toEqual([
      "server",
      "serverMessages",
      "monitorPlan",
      "model",
      "maxDurationSeconds",
    ]);
  });

  it("flags overrides that are not an object at all", () => {
    expect(findForbiddenOverrides("server", limits)).toEqual(["assistantOverrides"]);
    expect(findForbiddenOverrides([], limits)).toEqual(["assistantOverrides"]);
  });
});
