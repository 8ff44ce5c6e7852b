import type { JsonObject } from "./assistant";

export type SpokenRole = "assistant" | "user";

/** The conversation as Vapi records it: `artifact.messages` (Vapi format) and its OpenAI-format twin. */
export class Transcript {
  readonly messages: JsonObject[] = [];
  readonly openAi: JsonObject[] = [];
  private spoken: { role: SpokenRole; text: string }[] = [];
  private clockStart: number;

  constructor(systemPrompt: string | undefined, now: number) {
    this.clockStart = now;
    if (systemPrompt) this.addSystem(systemPrompt, now);
  }

  /** secondsFromStart counts from the moment the customer joined. */
  startClock(now: number): void {
    this.clockStart = now;
  }

  addSystem(content: string, at: number): void {
    this.messages.push({ role: "system", message: content, time: at, secondsFromStart: this.secondsFromStart(at) });
    this.openAi.push({ role: "system", content });
  }

  addSpoken(role: SpokenRole, text: string, start: number, end: number): void {
    const item: JsonObject = {
      role: role === "assistant" ? "bot" : "user",
      message: text,
      time: start,
      endTime: end,
      secondsFromStart: this.secondsFromStart(start),
      duration: end - start,
    };
    if (role === "assistant") item.source = "";
    this.messages.push(item);
    this.openAi.push({ role, content: text });
    this.spoken.push({ role, text });
  }

  /** Tool arguments are JSON strings inside artifact messages, unlike in `toolCallList` (§9). */
  addToolCalls(calls: { id: string; name: string; arguments: JsonObject }[], at: number): void {
    const toolCalls = calls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
    this.messages.push({
      role: "tool_calls",
      toolCalls,
      message: "",
      time: at,
      secondsFromStart: this.secondsFromStart(at),
    });
    this.openAi.push({ role: "assistant", content: null, tool_calls: toolCalls });
  }

  addToolResult(toolCallId: string, name: string, result: string, at: number): void {
    this.messages.push({
      role: "tool_call_result",
      toolCallId,
      name,
      result,
      time: at,
      secondsFromStart: this.secondsFromStart(at),
    });
    this.openAi.push({ role: "tool", tool_call_id: toolCallId, content: result });
  }

  /** A control-URL `add-message`: OpenAI-style `{role, content}`. */
  addFromControl(role: string, content: string, at: number): void {
    if (role === "system") return this.addSystem(content, at);
    const spokenRole: SpokenRole = role === "assistant" ? "assistant" : "user";
    this.addSpoken(spokenRole, content, at, at);
  }

  /** `"AI: …\nUser: …\n"`, as in captured reports. */
  text(): string {
    return this.spoken.map(({ role, text }) => `${role === "assistant" ? "AI" : "User"}: ${text}\n`).join("");
  }

  spokenBy(role: SpokenRole): string[] {
    return this.spoken.filter((item) => item.role === role).map((item) => item.text);
  }

  liveArtifact(): JsonObject {
    return { messages: structuredClone(this.messages), messagesOpenAIFormatted: structuredClone(this.openAi) };
  }

  private secondsFromStart(at: number): number {
    return Math.max(0, Math.round(at - this.clockStart) / 1000);
  }
}
