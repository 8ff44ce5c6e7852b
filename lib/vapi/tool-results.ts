// Replies Vapi reads from our webhook (vapi-protocol.md §1.5). Tool results must be single-line
// strings, one per toolCallId, in call order, and always sent with HTTP 200.

export type ToolCallOutcome = { toolCallId: string } & ({ result: string } | { error: string });

export type ToolCallsReply = {
  results: Array<{ toolCallId: string; result: string } | { toolCallId: string; error: string }>;
};

export function buildToolCallsReply(outcomes: readonly ToolCallOutcome[]): ToolCallsReply {
  return {
    results: outcomes.map((outcome) =>
      "error" in outcome
        ? { toolCallId: outcome.toolCallId, error: singleLine(outcome.error) }
        : { toolCallId: outcome.toolCallId, result: singleLine(outcome.result) },
    ),
  };
}

/** The reply to `assistant-request` that rejects the call; Vapi speaks the text to the caller. */
export function rejectAssistantRequest(spokenReason: string): { error: string } {
  return { error: singleLine(spokenReason) };
}

export function singleLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").trim();
}
