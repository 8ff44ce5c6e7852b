// With a public key the browser may override anything, including `server` (our webhook URL),
// `serverMessages`, `monitorPlan` (the control URL) and `maxDurationSeconds` (vapi-protocol.md
// §6.3). After a call starts, the server reads its overrides back from GET /call/{id} and ends
// any call that set more than this allow-list.

const ALLOWED_KEYS = new Set(["metadata", "variableValues", "maxDurationSeconds"]);

export type OverrideLimits = {
  /** The value the server issued for this call; the client may lower it, never raise it. */
  maxDurationSeconds: number;
};

/** Keys of `assistantOverrides` the client had no right to set; empty when the call is clean. */
export function findForbiddenOverrides(assistantOverrides: unknown, limits: OverrideLimits): string[] {
  if (assistantOverrides === undefined || assistantOverrides === null) return [];
  if (typeof assistantOverrides !== "object" || Array.isArray(assistantOverrides)) {
    return ["assistantOverrides"];
  }

  const forbidden: string[] = [];
  for (const [key, value] of Object.entries(assistantOverrides)) {
    if (!ALLOWED_KEYS.has(key)) forbidden.push(key);
    else if (key === "maxDurationSeconds" && !withinIssuedDuration(value, limits.maxDurationSeconds)) {
      forbidden.push(key);
    }
  }
  return forbidden;
}

function withinIssuedDuration(value: unknown, issued: number): boolean {
  // null would fall back to the assistant's own limit, which we did not issue.
  return typeof value === "number" && Number.isFinite(value) && value > 0 && value <= issued;
}
