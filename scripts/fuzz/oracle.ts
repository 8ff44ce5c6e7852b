// The pass criteria for one case: statuses, replies, and what it left in the database.
import type { Case, RequestSpec } from "./case";
import type { Outcome } from "./wire";

export type Sent = { spec: RequestSpec; outcomes: Outcome[]; windowCrossed: boolean };

/** A failure: `kind` groups failures into classes, `detail` says what this one saw. */
export type Problem = { kind: string; detail: string; pair?: Outcome["pair"] };

/**
 * `clean` says whether a request holds nothing hostile: in a burst, a clean message that fails
 * failed because of what arrived beside it.
 */
export function judgeResponses(c: Case, sent: Sent[], clean: (spec: RequestSpec) => boolean): Problem[] {
  const problems: Problem[] = [];
  const besideHostile = c.together && sent.some((s) => !clean(s.spec));
  for (const [i, { spec, outcomes, windowCrossed }] of sent.entries()) {
    const at = c.requests.length > 1 ? ` (request ${i + 1} of ${c.requests.length})` : "";
    const beside = besideHostile && clean(spec) ? " for a clean message beside hostile ones" : "";
    for (const o of outcomes) {
      if (o.status === "hang") {
        // A hang right after a refusal on the same connection is likely that refusal's doing.
        const after = o.after && !o.after.startsWith("2") ? ` right after a ${o.after} on its connection` : "";
        problems.push({
          kind: `hang over 2 s${beside}${after}`,
          detail: `no reply within 2 s${at}`,
          ...(after && o.pair ? { pair: o.pair } : {}),
        });
      } else if (o.status === "error") problems.push({ kind: "connection error", detail: `${o.error ?? "?"}${at}` });
      else if (o.status >= 500)
        problems.push({ kind: `status ${o.status}${beside}`, detail: `${o.status} ${o.reply.slice(0, 200)}${at}` });
      else if (!spec.expect.includes(o.status))
        problems.push({
          kind: `status ${o.status}, expected ${spec.expect.join("/")}`,
          detail: `${o.status} ${o.reply.slice(0, 200)}${at}`,
        });
      else if (o.status === 200) problems.push(...judgeReply(spec, o.reply, at));
    }
    if (c.checks.some((k) => k.kind === "throttled") && !windowCrossed && !outcomes.some((o) => o.status === 429)) {
      problems.push({
        kind: "rejections not throttled",
        detail: `${outcomes.length} rejected requests from ${spec.forwardedFor} within a minute, none got 429`,
      });
    }
  }
  return problems;
}

function judgeReply(spec: RequestSpec, reply: string, at: string): Problem[] {
  if (spec.reply === "any") return [];
  let body: unknown;
  try {
    body = JSON.parse(reply);
  } catch {
    return [{ kind: "reply is not JSON", detail: `${reply.slice(0, 200)}${at}` }];
  }
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (spec.reply === "empty" && Object.keys(record).length !== 0)
    return [{ kind: "reply not {}", detail: `${reply.slice(0, 200)}${at}` }];
  if (spec.reply === "assistant-refusal" && typeof record.error !== "string")
    return [{ kind: "assistant-request not refused", detail: `${reply.slice(0, 200)}${at}` }];
  if (spec.reply === "tool-results") {
    const results = Array.isArray(record.results) ? (record.results as { toolCallId?: unknown }[]) : [];
    const ids = results.map((r) => r.toolCallId);
    if (JSON.stringify(ids) !== JSON.stringify(spec.toolCallIds ?? [])) {
      return [
        {
          kind: "tool results do not answer the tool calls",
          detail: `answered ${JSON.stringify(ids).slice(0, 200)} for ${JSON.stringify(spec.toolCallIds).slice(0, 200)}${at}`,
        },
      ];
    }
  }
  return [];
}

export function judgeMentions(
  check: "recorded-once" | "absent",
  callId: string,
  m: { events: number; calls: number; alerts: number },
): Problem[] {
  if (check === "recorded-once" && m.events !== 1)
    return [{ kind: "replay recorded more than once", detail: `${m.events} WebhookEvent rows for ${callId}` }];
  if (check === "absent" && m.events + m.calls + m.alerts > 0) {
    return [
      {
        kind: "smuggled call id reached the database",
        detail: `${callId}: ${m.events} events, ${m.calls} calls, ${m.alerts} alerts`,
      },
    ];
  }
  return [];
}
