// What each kind of request must be answered with, and the helpers that build requests and cases.
import fc from "fast-check";
import type { BodySpec, Case, Check, RequestSpec } from "./case";
import type { Json } from "./messages";

export const MAX_BODY_BYTES = 1_000_000;
export const OK = [200];
export const BAD_SHAPE = [400, 422];
/** Valid JSON and schema, extreme values: refusing it as a bad shape is fine, failing on it is not. */
export const SURVIVE = [200, 422];
export const UNAUTHORIZED = [401, 429];

export const request = (body: BodySpec, expect: number[], extra: Partial<RequestSpec> = {}): RequestSpec => ({
  body,
  auth: { kind: "hmac", clock: "ms", signature: "hex", skewSeconds: 0 },
  transfer: "length",
  sends: 1,
  parallel: false,
  expect,
  reply: "any",
  ...extra,
});

/** The reply a 200 must carry for this message. */
export function replyFor(message: Json): Pick<RequestSpec, "reply" | "toolCallIds"> {
  if (message.type === "tool-calls")
    return { reply: "tool-results", toolCallIds: (message.toolCallList as { id: string }[]).map((t) => t.id) };
  if (message.type === "assistant-request") return { reply: "assistant-refusal" };
  return { reply: "empty" };
}

/** A filled tool-calls message answers tool calls whose ids the case cannot know in advance. */
export const replyForFilled = (message: Json): Pick<RequestSpec, "reply"> => ({
  reply: message.type === "tool-calls" ? "any" : "empty",
});

export const single = (category: string, req: RequestSpec, checks: Check[] = []): Case => ({
  category,
  authentic: req.auth.kind === "hmac",
  requests: [req],
  together: false,
  checks,
  paid: false,
});

export const transfer = fc.constantFrom("length" as const, "length" as const, "chunked" as const);
export const contentType = fc.constantFrom(
  undefined,
  "omit",
  "application/json",
  "text/plain",
  "application/json; charset=utf-16",
  "multipart/form-data; boundary=x",
);
