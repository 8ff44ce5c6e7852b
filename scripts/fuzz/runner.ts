// Runs one case against the live stack and judges it.
import { authHeaders } from "./auth";
import { renderBody, saltedId, type RenderContext } from "./bodies";
import type { Case, RequestSpec } from "./case";
import { judgeMentions, judgeResponses, type Problem, type Sent } from "./oracle";
import type { Rows } from "./rows";
import { requestSuspects } from "./suspects";
import { send, type Outcome } from "./wire";

export type Harness = {
  webhookUrl: string;
  emulatorUrl: string;
  secret: string;
  rows: Rows;
  /** A new user with credits and a reservation: the metadata a paid call's browser would pass to Vapi. */
  paidMetadata: () => Promise<unknown>;
  /** After a hang: wait until the app answers again (restarting it when it does not). */
  recover: () => Promise<void>;
  /** Resolves when no recovery is under way. */
  ready: () => Promise<void>;
};

export type CaseResult = { problems: Problem[]; outcomes: Outcome[]; ms: number };

export async function runCase(c: Case, h: Harness, salt: string): Promise<CaseResult> {
  const started = performance.now();
  const ctx: RenderContext = {
    emulatorUrl: h.emulatorUrl,
    salt,
    paidMetadata: c.paid ? await h.paidMetadata() : undefined,
  };
  const sent: Sent[] = [];
  await h.ready();
  if (c.together) sent.push(...(await Promise.all(c.requests.map((spec) => sendRequest(spec, ctx, h)))));
  else {
    for (const spec of c.requests) {
      await h.ready();
      sent.push(await sendRequest(spec, ctx, h));
    }
  }
  const outcomes = sent.flatMap((s) => s.outcomes);
  if (outcomes.some((o) => o.status === "hang")) await h.recover();
  const problems = judgeResponses(c, sent, (spec) => requestSuspects(spec, c.paid).length === 0);
  const allOk = outcomes.every((o) => o.status === 200 || o.status === 422);
  for (const check of c.checks) {
    if (check.kind === "throttled" || (check.kind === "recorded-once" && !allOk)) continue;
    const callId = saltedId(check.callId, salt);
    problems.push(...judgeMentions(check.kind, callId, await h.rows.mentioning(callId)));
  }
  return { problems, outcomes, ms: performance.now() - started };
}

async function sendRequest(spec: RequestSpec, ctx: RenderContext, h: Harness): Promise<Sent> {
  const { bytes, text } = renderBody(spec.body, ctx);
  const headers: Record<string, string> = { ...authHeaders(spec.auth, text, h.secret, Date.now()) };
  if (spec.contentType !== "omit") headers["content-type"] = spec.contentType ?? "application/json";
  if (spec.forwardedFor !== undefined) headers["x-forwarded-for"] = spec.forwardedFor;
  const wire = { url: h.webhookUrl, headers, bytes, chunked: spec.transfer === "chunked" };
  const minute = () => Math.floor(Date.now() / 60_000);
  const firstMinute = minute();
  const outcomes = spec.parallel
    ? await Promise.all(Array.from({ length: spec.sends }, () => send(wire)))
    : await sequentially(spec.sends, () => send(wire));
  return { spec, outcomes, windowCrossed: minute() !== firstMinute };
}

async function sequentially<T>(times: number, f: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await f());
  return out;
}
