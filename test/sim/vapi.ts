import { VapiRestError, type ListCallsQuery, type VapiCall, type VapiRestClient } from "@/lib/vapi/rest";

// Vapi's side of every call, in-process, on the simulator's virtual clock. Its own clock runs
// `skewMs` ahead of ours (behind when negative): every time it tells us (message timestamps,
// HMAC timestamps, REST records) is on its clock.

export const ASSISTANT_ID = "coach-assistant";
/** The assistant's own limit, for a call whose browser set none. */
const ASSISTANT_MAX_DURATION_SECONDS = 600;
const SPEAKING_MS = 2_000;

export type Origin = "browser" | "forged" | "missing";
/** What the browser overrode beyond what we issued. */
export type Tamper = "none" | "model" | "silenced" | "no-control" | "longer";
export type ReportPlan = "once" | "twice" | "never";
export type EndedBy = "caller" | "max-duration" | "control";

export type SimCall = {
  id: string;
  origin: Origin;
  /** Index of the issued start token it carries, for calls started from one. */
  token?: number;
  tamper: Tamper;
  overrides: Record<string, unknown>;
  controlUrl?: string;
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  hangupAt: number;
  maxEndAt: number;
  spokenEndAt?: number;
  endedAt?: number;
  endedBy?: EndedBy;
  endedReason?: string;
  report: ReportPlan;
};

export type Outgoing = {
  seq: number;
  callId: string;
  label: string;
  body: { message: Record<string, unknown> };
  emittedAt: number;
  attempts: number;
};

export type StartRequest = {
  origin: Origin;
  token?: number;
  tamper: Tamper;
  overrides: Record<string, unknown>;
  talkMs: number;
  report: ReportPlan;
};

const FORBIDDEN: Record<Exclude<Tamper, "none" | "longer">, Record<string, unknown>> = {
  model: { model: { provider: "openai", model: "gpt-4o" } },
  silenced: { serverMessages: [] },
  "no-control": { monitorPlan: { controlEnabled: false } },
};

export class SimVapi {
  readonly calls = new Map<string, SimCall>();
  outbox: Outgoing[] = [];
  /** REST requests still to fail (network errors), and how many did. */
  restOutage = 0;
  restFailures = 0;
  private seq = 0;
  private lastCreatedAt = 0;

  constructor(
    private readonly skewMs: number,
    private readonly controlUrlOf: (callId: string) => string,
  ) {}

  private iso = (t: number) => new Date(t + this.skewMs).toISOString();
  private stamp = (t: number) => t + this.skewMs;

  start(r: StartRequest, now: number): SimCall {
    // Vapi's creation times are distinct, so GET /call pages have clean boundaries.
    const createdAt = Math.max(now, this.lastCreatedAt + 1);
    this.lastCreatedAt = createdAt;
    const overrides = {
      ...r.overrides,
      ...(r.tamper === "longer" ? { maxDurationSeconds: 43_200 } : r.tamper === "none" ? {} : FORBIDDEN[r.tamper]),
    };
    const maxSeconds =
      typeof overrides.maxDurationSeconds === "number" ? overrides.maxDurationSeconds : ASSISTANT_MAX_DURATION_SECONDS;
    const id = `sim-call-${this.calls.size + 1}`;
    const call: SimCall = {
      id,
      origin: r.origin,
      token: r.token,
      tamper: r.tamper,
      overrides,
      controlUrl: r.tamper === "no-control" ? undefined : this.controlUrlOf(id),
      createdAt,
      startedAt: createdAt,
      updatedAt: createdAt,
      hangupAt: createdAt + r.talkMs,
      maxEndAt: createdAt + maxSeconds * 1000,
      report: r.report,
    };
    this.calls.set(id, call);
    this.emit(call, { type: "status-update", status: "in-progress" }, createdAt);
    return call;
  }

  live = () => [...this.calls.values()].filter((c) => c.endedAt === undefined);

  private endsAt = (c: SimCall) => Math.min(c.hangupAt, c.maxEndAt, c.spokenEndAt ?? Infinity);

  /** When the next call ends by itself (caller, its limit, a notice spoken to the end). */
  nextEventAt(): number | undefined {
    const times = this.live().map(this.endsAt);
    return times.length ? Math.min(...times) : undefined;
  }

  advanceTo(t: number) {
    const due = this.live()
      .filter((c) => this.endsAt(c) <= t)
      .sort((a, b) => this.endsAt(a) - this.endsAt(b));
    for (const c of due) {
      const at = this.endsAt(c);
      const by: EndedBy = at === c.hangupAt ? "caller" : at === c.maxEndAt ? "max-duration" : "control";
      this.end(
        c,
        at,
        by,
        by === "caller"
          ? "customer-ended-call"
          : by === "max-duration"
            ? "exceeded-max-duration"
            : "assistant-ended-call-after-message-spoken",
      );
    }
  }

  /** A POST to a call's control URL: its HTTP status. */
  control(callId: string, body: { type?: string; endCallAfterSpoken?: boolean }, now: number): number {
    const call = this.calls.get(callId);
    if (!call || call.endedAt !== undefined || !call.controlUrl) return 404;
    if (body.type === "end-call") this.end(call, Math.max(now, call.startedAt), "control", "manually-canceled");
    else if (body.type === "say" && body.endCallAfterSpoken)
      call.spokenEndAt = Math.min(call.spokenEndAt ?? Infinity, Math.max(now, call.startedAt) + SPEAKING_MS);
    return 200;
  }

  private end(c: SimCall, at: number, by: EndedBy, reason: string) {
    Object.assign(c, { endedAt: at, endedBy: by, endedReason: reason, updatedAt: at });
    this.emit(c, { type: "status-update", status: "ended", endedReason: reason }, at);
    const seconds = (at - c.startedAt) / 1000;
    const report = {
      type: "end-of-call-report",
      endedReason: reason,
      startedAt: this.iso(c.startedAt),
      endedAt: this.iso(at),
      durationMs: at - c.startedAt,
      durationSeconds: seconds,
      cost: Math.round(seconds * 20) / 10_000,
      analysis: { summary: "A good talk." },
      artifact: { transcript: "AI: Hi\nUser: Hello\n", messages: [] },
    };
    const copies = c.report === "twice" ? 2 : c.report === "never" ? 0 : 1;
    for (let i = 0; i < copies; i++) this.emit(c, report, at);
  }

  private emit(c: SimCall, message: Record<string, unknown>, at: number) {
    if (c.tamper === "silenced") return;
    const call = {
      id: c.id,
      orgId: "org-sim",
      type: "webCall",
      status: "queued",
      assistantId: ASSISTANT_ID,
      createdAt: this.iso(c.createdAt),
      updatedAt: this.iso(c.createdAt),
      monitor: c.controlUrl ? { controlUrl: c.controlUrl, listenUrl: c.controlUrl.replace("/control", "/listen") } : {},
      assistantOverrides: c.overrides,
    };
    const label = `${String(message.type)}${message.status ? ` ${String(message.status)}` : ""} of ${c.id}`;
    this.outbox.push({
      seq: ++this.seq,
      callId: c.id,
      label,
      body: { message: { ...message, timestamp: this.stamp(at), call } },
      emittedAt: at,
      attempts: 0,
    });
  }

  secondsOf = (c: SimCall) => (c.endedAt === undefined ? undefined : (c.endedAt - c.startedAt) / 1000);

  private record(c: SimCall): VapiCall {
    const ended = c.endedAt !== undefined;
    return {
      id: c.id,
      status: ended ? "ended" : "in-progress",
      assistantId: ASSISTANT_ID,
      createdAt: new Date(this.stamp(c.createdAt)),
      updatedAt: new Date(this.stamp(c.updatedAt)),
      startedAt: new Date(this.stamp(c.startedAt)),
      ...(ended
        ? { endedAt: new Date(this.stamp(c.endedAt!)), endedReason: c.endedReason, durationSeconds: this.secondsOf(c) }
        : {}),
      ...(c.controlUrl ? { monitor: { controlUrl: c.controlUrl } } : {}),
      assistantOverrides: c.overrides,
    };
  }

  private reachable(what: string) {
    if (this.restOutage <= 0) return;
    this.restOutage--;
    this.restFailures++;
    throw new VapiRestError("network", `${what}: simulated outage`);
  }

  readonly rest: VapiRestClient = {
    getCall: async (id) => {
      this.reachable(`GET /call/${id}`);
      const call = this.calls.get(id);
      if (!call) throw new VapiRestError("not-found", `GET /call/${id}: HTTP 404`, { status: 404 });
      return this.record(call);
    },
    listCalls: async (q: ListCallsQuery = {}) => {
      this.reachable("GET /call");
      const at = (d?: Date) => (d ? d.getTime() - this.skewMs : undefined);
      const [gt, le, updatedGt] = [at(q.createdAtGt), at(q.createdAtLe), at(q.updatedAtGt)];
      return [...this.calls.values()]
        .filter(
          (c) =>
            (gt === undefined || c.createdAt > gt) &&
            (le === undefined || c.createdAt <= le) &&
            (updatedGt === undefined || c.updatedAt > updatedGt),
        )
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, q.limit ?? 100)
        .map((c) => this.record(c));
    },
  };
}
