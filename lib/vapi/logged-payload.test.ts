import { describe, expect, it } from "vitest";
import { loggedPayload } from "./logged-payload";

const conversation = [
  { role: "bot", message: "Hi" },
  { role: "user", message: "Hello" },
];

describe("loggedPayload", () => {
  it("keeps a message as sent but for the conversation copies, each noted by its length", () => {
    const body = {
      message: {
        type: "conversation-update",
        timestamp: 1,
        call: { id: "c1" },
        messages: conversation,
        messagesOpenAIFormatted: conversation,
        artifact: { messages: conversation, recordingUrl: "https://r" },
      },
    };
    const note = "(2 items, not logged: the conversation is the call's transcript)";
    expect(loggedPayload(body)).toEqual({
      message: {
        type: "conversation-update",
        timestamp: 1,
        call: { id: "c1" },
        messages: note,
        messagesOpenAIFormatted: note,
        artifact: { messages: note, recordingUrl: "https://r" },
      },
    });
    expect(body.message.messages).toBe(conversation); // the message itself is not changed
  });

  it("keeps an end-of-call report whole, and anything without the usual shape as it is", () => {
    const report = {
      message: { type: "end-of-call-report", messages: conversation, artifact: { messages: conversation } },
    };
    expect(loggedPayload(report)).toBe(report);
    expect(loggedPayload({ message: { type: "status-update", messages: "not a list" } })).toEqual({
      message: { type: "status-update", messages: "not a list" },
    });
    expect(loggedPayload([1, 2])).toEqual([1, 2]);
    expect(loggedPayload(null)).toBeNull();
  });
});
