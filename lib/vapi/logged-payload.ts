// What the webhook log keeps of a server message. Vapi repeats the whole conversation so far in
// nearly every message (`messages`, `messagesOpenAIFormatted`, and again under `artifact`): kept
// each time, a call's log grows with the square of its length (a ten-minute call would log
// megabytes), and at a thousand live calls writing it made every message wait its turn. The
// conversation is kept once, as the call's transcript, and whole in the end-of-call report.

const CONVERSATION_KEYS = ["messages", "messagesOpenAIFormatted"] as const;

/** The message as logged: as Vapi sent it, but for the conversation copies, each replaced by a note of its length. */
export function loggedPayload(body: unknown): unknown {
  const message = objectAt(body, "message");
  if (!message || message.type === "end-of-call-report") return body;
  const artifact = objectAt(message, "artifact");
  return {
    ...(body as object),
    message: {
      ...withoutConversation(message),
      ...(artifact ? { artifact: withoutConversation(artifact) } : {}),
    },
  };
}

function withoutConversation(o: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...o };
  for (const key of CONVERSATION_KEYS)
    if (Array.isArray(copy[key]))
      copy[key] = `(${copy[key].length} items, not logged: the conversation is the call's transcript)`;
  return copy;
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  const child = (value as Record<string, unknown> | null)?.[key];
  return typeof child === "object" && child !== null && !Array.isArray(child)
    ? (child as Record<string, unknown>)
    : undefined;
}
