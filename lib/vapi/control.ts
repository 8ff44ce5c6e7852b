import "server-only";
import http from "node:http";
import https from "node:https";
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

// node:http with keep-alive rather than fetch: every cutoff sends up to three of these, and fetch
// cost about 1.2 ms more CPU per request here. Idle sockets close after 4 s, before a server's
// usual 5 s keep-alive timeout (all of them: the default keeps 256 and closes the rest after each
// answer, so a wave of cutoffs would open them again); one the server closed anyway is retried once on a new socket.
const agentOptions = { keepAlive: true, timeout: 4_000, maxFreeSockets: Infinity };
const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };

/** Never throws: the enforcer and the reconciler decide what a failed POST means. */
export async function sendControl(
  controlUrl: string,
  body: ControlBody,
  { timeoutMs = 3000, bearer = process.env.VAPI_CONTROL_BEARER || undefined }: ControlOptions = {},
): Promise<ControlResult> {
  const url = httpUrl(controlUrl);
  if (!url) return { ok: false, error: "invalid control URL" };
  const payload = JSON.stringify(body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
  };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const deadline = Date.now() + timeoutMs;
  const first = await post(url, headers, payload, deadline, timeoutMs);
  if (!first.staleSocket) return first.result;
  return (await post(url, headers, payload, deadline, timeoutMs)).result;
}

/** One POST, given up at `deadline`. `staleSocket`: a kept-alive socket the server had closed, so nothing was sent. */
function post(
  url: HttpUrl,
  headers: Record<string, string>,
  payload: string,
  deadline: number,
  timeoutMs: number,
): Promise<{ result: ControlResult; staleSocket?: boolean }> {
  return new Promise((resolve) => {
    let responded = false;
    const request = (url.protocol === "https:" ? https : http).request(
      url,
      { method: "POST", headers, agent: agents[url.protocol] },
      (response) => {
        responded = true;
        // Read the body either way, so the connection is released; the timeout covers it too.
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (text.length < ERROR_BODY_PREVIEW_CHARS) text += chunk;
        });
        response.on("end", () => {
          clearTimeout(timer);
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve({ result: { ok: true, status } });
          const preview = text.slice(0, ERROR_BODY_PREVIEW_CHARS);
          resolve({ result: { ok: false, status, error: `HTTP ${status}${preview ? `: ${preview}` : ""}` } });
        });
        response.on("error", fail);
      },
    );
    const timer = setTimeout(
      () => {
        request.destroy();
        resolve({ result: { ok: false, error: `timed out after ${timeoutMs} ms` } });
      },
      Math.max(0, deadline - Date.now()),
    );
    function fail(error: Error & { code?: string }) {
      clearTimeout(timer);
      const staleSocket = !responded && request.reusedSocket && error.code === "ECONNRESET";
      resolve({ result: { ok: false, error: error.message }, staleSocket });
    }
    request.on("error", fail);
    request.end(payload);
  });
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

type HttpUrl = URL & { protocol: "http:" | "https:" };

function httpUrl(value: string): HttpUrl | null {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? (url as HttpUrl) : null;
  } catch {
    return null;
  }
}
