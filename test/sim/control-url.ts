import { startTestHttpServer, type TestHttpServer } from "@/test/http-server";
import type { SimVapi } from "./vapi";

// Every call's control URL, on one local HTTP server: lib/ POSTs to it over real HTTP. Each request
// is recorded with the virtual time it arrived at; a call can be told to fail (500) or hang (no
// answer until after the sender's timeout) its next few requests, which then change nothing.

export type ControlMisbehaviour = "fail" | "hang";
export type ControlRequest = {
  callId: string;
  type: string;
  content?: string;
  endCallAfterSpoken: boolean;
  at: number;
  answer: number | ControlMisbehaviour;
  /** Whether it carried the control bearer (monitorPlan.controlAuthenticationEnabled is on in the simulation). */
  authorized: boolean;
};

/** Set as VAPI_CONTROL_BEARER for the run: every path that speaks to a control URL must send it. */
export const CONTROL_BEARER = "sim-control-bearer";

/** How long a hanging control URL keeps a request: past the enforcer's timeout (CONTROL_TIMEOUT_MS). */
const HANG_MS = 80;
export const CONTROL_TIMEOUT_MS = 50;

export type ControlRun = {
  vapi: SimVapi;
  now: () => number;
  misbehave: Map<string, ControlMisbehaviour[]>;
  requests: ControlRequest[];
};

export class ControlUrls {
  private run: ControlRun | null = null;

  private constructor(private readonly server: TestHttpServer) {}

  static async start(): Promise<ControlUrls> {
    const holder: { urls?: ControlUrls } = {};
    const server = await startTestHttpServer((req, res) => {
      holder.urls!.server.requests.length = 0; // each request is kept on its run instead
      const callId = decodeURIComponent(req.url.split("/")[1] ?? "");
      const answer = holder.urls!.answer(callId, req.body, req.headers.authorization === `Bearer ${CONTROL_BEARER}`);
      if (answer === "hang") setTimeout(() => res.destroy(), HANG_MS);
      else res.writeHead(answer === "fail" ? 500 : answer).end(answer === 200 ? "{}" : "");
    });
    return (holder.urls = new ControlUrls(server));
  }

  urlOf = (callId: string) => `${this.server.url}/${encodeURIComponent(callId)}/control`;

  attach(run: ControlRun | null) {
    this.run = run;
  }

  private answer(callId: string, rawBody: string, authorized: boolean): number | ControlMisbehaviour {
    const run = this.run;
    if (!run) return 404;
    let body: { type?: string; content?: string; endCallAfterSpoken?: boolean } = {};
    try {
      body = JSON.parse(rawBody);
    } catch {
      // recorded as a request of no type
    }
    const answer = authorized ? (run.misbehave.get(callId)?.shift() ?? run.vapi.control(callId, body, run.now())) : 401;
    run.requests.push({
      callId,
      type: body.type ?? "?",
      content: body.content,
      endCallAfterSpoken: body.endCallAfterSpoken === true,
      at: run.now(),
      answer,
      authorized,
    });
    return answer;
  }

  close = () => this.server.close();
}

/** A request that ends the call: `end-call`, or `say` with endCallAfterSpoken. */
export const endsCall = (r: ControlRequest) => r.type === "end-call" || (r.type === "say" && r.endCallAfterSpoken);
