import "server-only";
// Live-call control over `call.monitor.controlUrl` (vapi-protocol.md §5.1). The body is the
// control message itself, flat, not wrapped in `{ message }`.

export type ControlResult = { ok: boolean; status?: number; error?: string };

export type ControlOptions = {
  timeoutMs?: number;
  /**
   * Only when the assistant's monitorPlan has controlAuthenticationEnabled. Defaults to
   * VAPI_CONTROL_BEARER, so no path that speaks to a control URL can leave it out.
   */
  bearer?: string;
};

export type ControlBody =
  | { type: "say"; content: string; endCallAfterSpoken?: boolean }
  | { type: "end-call" }
  | { type: "add-message"; message: { role: string; content: string }; triggerResponseEnabled?: boolean }
  | { type: "control"; control: string };

const ERROR_BODY_PREVIEW_CHARS = 200;

/** Never throws: the enforcer and the reconciler decide what a failed POST means. */
export async function sendControl(
  controlUrl: string,
  body: ControlBody,
  { timeoutMs = 3000, bearer = process.env.VAPI_CONTROL_BEARER || undefined }: ControlOptions = {},
): Promise<ControlResult> {
  if (!isHttpUrl(controlUrl)) return { ok: false, error: "invalid control URL" };
  try {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const response = await fetch(controlUrl, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the body either way, so the connection is released; the timeout covers it too.
    const text = await response.text().catch(() => "");
    if (response.ok) return { ok: true, status: response.status };
    const preview = text.slice(0, ERROR_BODY_PREVIEW_CHARS);
    return { ok: false, status: response.status, error: `HTTP ${response.status}${preview ? `: ${preview}` : ""}` };
  } catch (error) {
    return { ok: false, error: describeFetchError(error, timeoutMs) };
  }
}

export function sayOnCall(
  controlUrl: string,
  content: string,
  { endCallAfterSpoken, ...options }: ControlOptions & { endCallAfterSpoken: boolean },
): Promise<ControlResult> {
  return sendControl(controlUrl, { type: "say", content, endCallAfterSpoken }, options);
}

export function endCallNow(controlUrl: string, options?: ControlOptions): Promise<ControlResult> {
  return sendControl(controlUrl, { type: "end-call" }, options);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}
