// The last few lines of what was said, from whichever source a call has: the stored transcript
// text ("AI: …\nUser: …"), a conversation-update's messages, or a single transcript message.

export const LAST_LINES = 4;

const SPEAKER: Record<string, string> = { bot: "AI", assistant: "AI", user: "User" };

type Said = { role?: unknown; message?: unknown; content?: unknown };

export function linesFromText(transcript: string, count = LAST_LINES): string[] {
  return transcript
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count);
}

/** Vapi-format items ({role: bot|user, message}) or OpenAI-format ones ({role: assistant|user, content}). */
export function linesFromMessages(messages: unknown, count = LAST_LINES): string[] {
  if (!Array.isArray(messages)) return [];
  return messages
    .map((m: Said) => {
      const speaker = typeof m?.role === "string" ? SPEAKER[m.role] : undefined;
      const text = typeof m?.message === "string" ? m.message : typeof m?.content === "string" ? m.content : "";
      return speaker && text.trim() ? `${speaker}: ${text.trim()}` : null;
    })
    .filter((l): l is string => l !== null)
    .slice(-count);
}

export function lineFromTranscriptMessage(role: unknown, text: unknown): string[] {
  const speaker = typeof role === "string" ? SPEAKER[role] : undefined;
  return speaker && typeof text === "string" && text.trim() ? [`${speaker}: ${text.trim()}`] : [];
}
