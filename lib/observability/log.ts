import pino from "pino";
import { maskString } from "@/lib/vapi/mask";

/**
 * The app's one logger: a JSON line per event on stdout (`npm run dev` pipes it through
 * pino-pretty). Levels by LOG_LEVEL. Ids go in fields (callId, reservationId, userId,
 * messageType, requestId); secrets never do, and the redaction below is the safety net.
 */
export const log: pino.Logger = ((globalThis as { coachLog?: pino.Logger }).coachLog ??= pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "coach-call" },
  formatters: { level: (label) => ({ level: label }) },
  redact: {
    paths: [
      "authorization",
      "*.authorization",
      "headers.authorization",
      "headers['x-vapi-secret']",
      "headers['x-signature']",
      "startToken",
      "*.startToken",
      "password",
      "*.password",
      "secret",
      "*.secret",
    ],
    censor: "[redacted]",
  },
  serializers: { err: (error: unknown) => errorFields(error) },
}));

/** An error as log fields: its message masked (it may quote a payload), its stack only at debug level. */
function errorFields(error: unknown) {
  if (!(error instanceof Error)) return { message: maskString(String(error)) };
  return {
    type: error.name,
    message: maskString(error.message),
    ...(log?.isLevelEnabled?.("debug") ? { stack: error.stack } : {}),
  };
}

/** The first line of an error's message: enough for a log line or a stored reason. */
export const reasonOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 300);
