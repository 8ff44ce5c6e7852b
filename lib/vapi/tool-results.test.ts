import { describe, expect, it } from "vitest";
import { buildToolCallsReply, rejectAssistantRequest } from "./tool-results";

describe("tool-calls reply", () => {
  it("keeps call order and makes every result a single line", () => {
    expect(
      buildToolCallsReply([
        { toolCallId: "call_1", result: "You have 42 credits left.\nAbout 7 minutes." },
        { toolCallId: "call_2", error: "  Unknown tool\r\n" },
      ]),
    ).toEqual({
      results: [
        { toolCallId: "call_1", result: "You have 42 credits left. About 7 minutes." },
        { toolCallId: "call_2", error: "Unknown tool" },
      ],
    });
  });
});

describe("assistant-request rejection", () => {
  it("is a top-level error Vapi speaks to the caller", () => {
    expect(rejectAssistantRequest("Sorry,\nyou are out of credits.")).toEqual({
      error: "Sorry, you are out of credits.",
    });
  });
});
