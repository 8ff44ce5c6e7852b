// What one fuzz case is: requests to send (as data, so a case prints and replays) and what must come back.

/** How a request proves (or fails to prove) that Vapi sent it. Only "hmac" is authentic: the stack accepts HMAC alone. */
export type AuthSpec =
  | {
      kind: "hmac";
      clock: "ms" | "s" | "ms-float";
      signature: "hex" | "HEX" | "sha256=";
      skewSeconds: number;
      alongside?: "wrong-secret" | "wrong-bearer";
    }
  | { kind: "hmac-stale"; skewSeconds: number }
  | { kind: "hmac-wrong-secret" }
  | { kind: "hmac-tampered" }
  | { kind: "hmac-odd-timestamp"; timestamp: string }
  | { kind: "hmac-garbage"; signature: string; timestamp: string }
  | { kind: "hmac-no-timestamp" }
  | { kind: "timestamp-only" }
  | { kind: "secret"; correct: boolean }
  | { kind: "bearer"; correct: boolean; scheme: string }
  | { kind: "none" };

export const isAuthentic = (auth: AuthSpec) => auth.kind === "hmac";

/** Text spliced into a JSON body where the string FILL_MARKER stands: built at send time, too big or odd to keep in the case. */
export type Fill =
  | { kind: "nested"; depth: number; shape: "array" | "object" | "mixed" }
  | { kind: "padding"; totalBytes: number; style: "words" | "objects" | "accented" }
  | { kind: "token"; length: number; alphabet: "letters" | "digits" | "base64" | "dotted" }
  /** JSON text as is, e.g. a `"\ud800"` escape that JSON.stringify would never write for a paired surrogate. */
  | { kind: "raw"; json: string }
  /** Bytes that are not UTF-8, inside a JSON string. */
  | { kind: "bytes"; hex: string };

export const FILL_MARKER = "@@FILL@@";

export type BodySpec = { kind: "json"; value: unknown; fill?: Fill } | { kind: "text"; text: string };

/** What the 200 reply's body must be. */
export type Reply = "empty" | "tool-results" | "assistant-refusal" | "any";

export type RequestSpec = {
  /** The category a request of a burst came from. */
  origin?: string;
  body: BodySpec;
  auth: AuthSpec;
  transfer: "length" | "chunked";
  /** "omit" sends no content-type header. */
  contentType?: string;
  forwardedFor?: string;
  /** The same signed bytes sent this many times: a replay. */
  sends: number;
  /** Replays sent at once rather than one after the other. */
  parallel: boolean;
  expect: number[];
  reply: Reply;
  /** Tool call ids the reply must answer, in order. */
  toolCallIds?: string[];
};

export type Check =
  /** A replayed message was recorded once. */
  | { kind: "recorded-once"; callId: string }
  /** A call id smuggled through `__proto__` and the like reached no table. */
  | { kind: "absent"; callId: string }
  /** A burst of rejected requests from one address was throttled (429). */
  | { kind: "throttled" };

export type Case = {
  category: string;
  authentic: boolean;
  /** Sent in order, or all at once when `together`; a paid call's messages need a reservation first (PAID_METADATA_MARKER stands for its metadata). */
  requests: RequestSpec[];
  together: boolean;
  checks: Check[];
  paid: boolean;
};

export const PAID_METADATA_MARKER = "$PAID_METADATA";
