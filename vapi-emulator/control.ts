import type { JsonObject } from "./assistant";
import type { CallSession, ControlLogEntry } from "./call-session";
import type { ResolvedConfig } from "./config";
import { isPlainObject } from "./merge";

export type ControlResult = { httpStatus: number; body: JsonObject };

const CONTROLS = new Set([
  "mute-assistant",
  "unmute-assistant",
  "mute-customer",
  "unmute-customer",
  "say-first-message",
]);

/**
 * Live call control (§5). Over the control URL `say` carries `content`; over the browser's
 * app-message path it carries `message` (§5.3). Each path accepts only its own field, so a client
 * that mixes them up fails here rather than against Vapi.
 */
export function applyControl(
  session: CallSession,
  body: JsonObject,
  source: ControlLogEntry["source"],
  config: ResolvedConfig,
): ControlResult {
  const result = run(session, body, source, config);
  session.controlLog.push({
    at: new Date().toISOString(),
    source,
    body,
    httpStatus: result.httpStatus,
    ...(result.httpStatus >= 400 ? { error: String(result.body.message) } : {}),
  });
  return result;
}

function run(
  session: CallSession,
  body: JsonObject,
  source: ControlLogEntry["source"],
  config: ResolvedConfig,
): ControlResult {
  if (session.status === "ended") return fail(404, `Call ${session.id} has ended.`, "Not Found");
  switch (body.type) {
    case "say": {
      const text = source === "control-url" ? body.content : body.message;
      const field = source === "control-url" ? "content" : "message";
      if (typeof text !== "string" || text.trim() === "") return fail(400, `say needs a non-empty \`${field}\``);
      session.say(text, body.endCallAfterSpoken === true);
      return ok();
    }
    case "end-call": {
      // From the browser this is the customer pressing "end" (vapi.end()), which then leaves the room.
      const reason = source === "control-url" ? config.controlEndCallEndedReason : "customer-ended-call";
      session.end(reason);
      return ok();
    }
    case "add-message": {
      const message = body.message;
      if (!isPlainObject(message) || typeof message.role !== "string" || typeof message.content !== "string") {
        return fail(400, "add-message needs `message: {role, content}`");
      }
      session.addMessage(message.role, message.content, body.triggerResponseEnabled !== false);
      return ok();
    }
    case "control": {
      if (typeof body.control !== "string" || !CONTROLS.has(body.control)) {
        return fail(400, `control must be one of ${[...CONTROLS].join(", ")}`);
      }
      applyNamedControl(session, body.control);
      return ok();
    }
    case "transfer":
    case "handoff":
    case "send-transport-message":
      return fail(400, `${body.type} is not supported by the emulator for web calls`);
    default:
      return fail(400, `Unknown control message type ${JSON.stringify(body.type)}`);
  }
}

function applyNamedControl(session: CallSession, control: string): void {
  if (control === "say-first-message") return session.sayFirstMessage();
  const muted = control.startsWith("mute-");
  if (control.endsWith("-assistant")) session.flags.assistantMuted = muted;
  else session.flags.customerMuted = muted;
}

function ok(): ControlResult {
  return { httpStatus: 200, body: {} };
}

function fail(httpStatus: number, message: string, error = "Bad Request"): ControlResult {
  return { httpStatus, body: { message, error, statusCode: httpStatus } };
}
