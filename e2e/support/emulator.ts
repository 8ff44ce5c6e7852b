import { emulatorUrl, vapiKeys } from "./env";

export type ControlEntry = { at: string; source: "control-url" | "browser"; body: { type: string; content?: string } };
export type EmulatedCall = {
  call: {
    id: string;
    status: string;
    startedAt?: string;
    endedAt?: string;
    endedReason?: string;
    assistantOverrides?: Record<string, unknown>;
  };
  controlLog: ControlEntry[];
  deliveries: { type: string; status?: string; httpStatus?: number; url: string | null; outcome: string; at: string }[];
};
export type CallSummary = {
  id: string;
  status: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  endedReason: string | null;
};

/** The admin API (vapi-emulator/README.md) of the emulator at `url`, as tests use it. */
export function emulatorAt(url: string) {
  async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${url}/__emulator${path}`, {
      method,
      headers: { authorization: `Bearer ${vapiKeys.privateKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }
  return {
    calls: () => admin<CallSummary[]>("GET", "/calls"),
    call: (id: string) => admin<EmulatedCall>("GET", `/calls/${id}`),
    attack: (body: { overrides?: unknown; origin?: string; key?: string; assistantId?: string; join?: boolean }) =>
      admin<{ httpStatus: number; error?: unknown; call?: { id: string }; joined: boolean }>("POST", "/attack", body),
    setFaults: (faults: Record<string, unknown>) => admin("POST", "/faults", faults),
    clearFaults: () => admin("DELETE", "/faults"),
    hangup: (id: string) => admin("POST", `/calls/${id}/hangup`),
    trigger: (id: string, body: { type: string; force?: boolean }) =>
      admin<{ httpStatus?: number }>("POST", `/calls/${id}/trigger`, body),
    /** Requests the emulator has answered, by route ("GET /call": the reconciler's reads of the call list). */
    requests: () => admin<Record<string, number>>("GET", "/requests"),
    /** Vapi's concurrency limit, changed at once for the rest of the run: a spec that lowers it puts it back. */
    setConcurrencyLimit: (concurrencyLimit: number) =>
      admin<{ concurrencyLimit: number; liveCalls: number }>("POST", "/concurrency", { concurrencyLimit }),
  };
}

/** The e2e stack's emulator. */
export const emulator = emulatorAt(emulatorUrl);

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
