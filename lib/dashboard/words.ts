// What the dashboard calls things: the schema's enums and Vapi's reasons in the domain's words.
// Plain data and pure functions (client components use them too). Each Record over an enum makes
// a new value fail to compile until it has words here.
import type {
  AlertKind,
  AuditAction,
  CallFlag,
  CallStatus,
  LedgerKind,
  ReservationStatus,
  WebhookOutcome,
} from "@/lib/generated/prisma/enums";

export const CALL_STATUS_WORDS: Record<CallStatus, string> = {
  ACTIVE: "live",
  ENDED: "ended, not billed yet",
  SETTLED: "billed",
  UNAUTHORIZED: "unauthorized",
};

export const CALL_FLAG_WORDS: Record<CallFlag, string> = {
  MISSING_TOKEN: "no start token",
  MALFORMED_TOKEN: "malformed start token",
  BAD_SIGNATURE: "forged start token",
  EXPIRED_TOKEN: "expired start token",
  TOKEN_MISMATCH: "start token of another reservation",
  REPLAYED_TOKEN: "start token used twice",
  SUSPENDED: "account suspended",
  OPERATOR: "ended by an operator",
  TAMPER: "tampered with",
  RAISED_MAX_DURATION: "raised its max duration",
  CUTOFF: "credits ran out",
};

export const ALERT_KIND_WORDS: Record<AlertKind, string> = {
  UNAUTHORIZED_CALL: "unauthorized call",
  TAMPERED_CALL: "tampered call",
  RAISED_MAX_DURATION: "raised max duration",
  SETTLED_FROM_VAPI: "billed from Vapi's record",
  UNKNOWN_TO_VAPI: "unknown to Vapi",
  UNSEEN_CALL: "call no webhook told us about",
};

export const AUDIT_ACTION_WORDS: Record<AuditAction, string> = {
  CREDITS_GRANT: "granted credits",
  CREDITS_DEDUCT: "deducted credits",
  USER_SUSPEND: "suspended the account",
  USER_UNSUSPEND: "lifted the suspension",
  CALL_END: "ended a call",
  CREDIT_REQUEST_APPROVE: "approved a credit request",
  CREDIT_REQUEST_DECLINE: "declined a credit request",
};

export const LEDGER_KIND_WORDS: Record<LedgerKind, string> = {
  GRANT: "grant",
  HOLD: "hold",
  CAPTURE: "capture",
  RELEASE: "release",
  EXPIRE: "expiry",
  DEDUCT: "deduction",
};

export const RESERVATION_STATUS_WORDS: Record<ReservationStatus, string> = {
  HELD: "held",
  CAPTURED: "captured",
  RELEASED: "released",
  EXPIRED: "expired",
};

export const WEBHOOK_OUTCOME_WORDS: Record<WebhookOutcome, string> = {
  ACCEPTED: "accepted",
  INVALID: "invalid",
  IGNORED: "ignored",
};

/** Vapi's endedReason values we can put in words; any other is shown as Vapi wrote it. */
const VAPI_REASON_WORDS: Record<string, string> = {
  "customer-ended-call": "the caller hung up",
  "assistant-ended-call": "the coach ended it",
  "assistant-ended-call-after-message-spoken": "the coach ended it after a message",
  "assistant-said-end-call-phrase": "the coach said goodbye",
  "silence-timed-out": "silence",
  "exceeded-max-duration": "Vapi's time limit",
  "customer-did-not-give-microphone-permission": "no microphone",
  "manually-canceled": "cancelled at Vapi",
  "unknown-to-vapi": "Vapi does not know the call",
  "call.start.error-subscription-concurrency-limit-reached": "refused: all lines busy (Vapi's concurrency limit)",
};

/** Own keys only: Vapi's reasons and actors are strings from outside ("constructor" is not a word here). */
const wordsFor = (words: Record<string, string>, key: string): string | undefined =>
  Object.hasOwn(words, key) ? words[key] : undefined;

/** Flags that say why our side ended a call, and the words for who did. */
const ENDED_BY_FLAG = {
  OPERATOR: "an operator",
  CUTOFF: "the cutoff (credits ran out)",
  TAMPER: "the tamper check",
  SUSPENDED: "a suspension",
} as const;
type EndingFlag = keyof typeof ENDED_BY_FLAG;
export const ENDING_FLAGS = Object.keys(ENDED_BY_FLAG) as EndingFlag[];

/** Vapi's words for a call our side ended (through the control URL, or a spoken notice with endCallAfterSpoken). */
export const endedFromOurSide = (endedReason: string | null) =>
  endedReason === null || endedReason.startsWith("assistant-") || endedReason === "manually-canceled";

/** "unauthorized", one of ENDING_FLAGS in lower case, or `reason:` + Vapi's endedReason. */
export type EndedByKey = string;
export type EndedBy = { key: EndedByKey; words: string };

type CallEnd = { status: CallStatus; flag: CallFlag | null; endedAt: Date | string | null; endedReason: string | null };

/**
 * Who ended a call, as our own records say it when they can: an unauthorized call was ended by us
 * for its start token; a call our side asked to end (operator, cutoff, tamper check, suspension)
 * and that Vapi reports ended from the assistant's side was ended by that; otherwise Vapi's reason
 * (the caller hung up, silence…). Null while the call runs.
 */
export function endedByOf(c: CallEnd): EndedBy | null {
  if (c.status === "UNAUTHORIZED")
    return { key: "unauthorized", words: `unauthorized: ${c.flag ? CALL_FLAG_WORDS[c.flag] : "no valid start"}` };
  if (!c.endedAt && !c.endedReason) return null;
  if (c.flag && c.flag in ENDED_BY_FLAG && endedFromOurSide(c.endedReason)) {
    return { key: c.flag.toLowerCase(), words: ENDED_BY_FLAG[c.flag as EndingFlag] };
  }
  if (!c.endedReason) return null;
  return { key: `reason:${c.endedReason}`, words: wordsFor(VAPI_REASON_WORDS, c.endedReason) ?? c.endedReason };
}

/** The user id an actor string names (an operator, or the account holder), to look the email up. */
export function actorUserId(actor: string): string | null {
  if (actor.startsWith("operator:")) return actor.slice("operator:".length);
  if (actor.includes(":") || actor === "system") return null;
  return actor; // the account holder, who reserved or gave back their own credits
}

const SYSTEM_ACTORS: Record<string, string> = {
  system: "system",
  "system:signup": "system: welcome credits",
  "system:tamper-check": "system: tamper check",
  "vapi:end-of-call-report": "system: Vapi's end-of-call report",
  "vapi:vapi-rest": "system: reconciler (Vapi's record)",
};

/**
 * Who an actor string (LedgerEntry.actor, AuditLog.actorId) is, in words: an email for a person,
 * "system: …" for the app's own work. `emails` maps user ids to emails.
 */
export function actorWords(actor: string, emails: Map<string, string>): string {
  const system = wordsFor(SYSTEM_ACTORS, actor);
  if (system) return system;
  const userId = actorUserId(actor);
  const email = userId && emails.get(userId);
  if (email) return email;
  return actor.startsWith("system:") ? `system: ${actor.slice("system:".length).replace(/-/g, " ")}` : actor;
}
