import type fc from "fast-check";
import type { CurrentUser } from "@/lib/auth/session";
import { enforceOnce } from "@/lib/calls/enforcer";
import { receiveServerMessage, retryUnprocessedMessages } from "@/lib/calls/inbox";
import { reconcileOnce, type ReconcilerOptions } from "@/lib/calls/reconciler";
import { checkNewCallsForTampering } from "@/lib/calls/tamper";
import type { AppConfig } from "@/lib/config";
import { grant } from "@/lib/credits/ledger";
import type { Pricing } from "@/lib/credits/pricing";
import type { Db } from "@/lib/db/client";
import { signHmac } from "@/lib/vapi/verify";
import { CONTROL_TIMEOUT_MS, type ControlRun, type ControlUrls } from "./control-url";
import { FaultLog, type RunPlan } from "./faults";
import { DbTap, serverDb } from "./faulty-db";
import { stepProblems } from "./invariants";
import { ASSISTANT_ID, SimVapi, type Outgoing } from "./vapi";

export type SimEnv = { raw: Db; control: ControlUrls; config: AppConfig; pricing: Pricing };

/** The virtual clock starts here in every run, so a seed replays the same times. */
export const START = Date.UTC(2030, 0, 7, 9, 0, 0);

export type Issued = {
  userId: string;
  reservationId: string;
  overrides: { metadata: Record<string, string>; maxDurationSeconds: number };
  expiresAt: number;
  uses: number;
};

export type Background = "enforcer" | "tamper-check" | "reconciler" | "message-retry";
export const BACKGROUND: Background[] = ["enforcer", "tamper-check", "reconciler", "message-retry"];

export type Model = { plan: RunPlan; users: number; issued: number; pending: number; calls: number };

/** Vapi stops retrying a message answered with one of these (its backoffPlan's excludedStatusCodes). */
const FINAL_STATUSES = new Set([400, 401, 403, 404, 422]);
const TABLES = [
  "LedgerEntry",
  "Call",
  "Reservation",
  "Alert",
  "AuditLog",
  "WebhookEvent",
  "RateLimitWindow",
  "ReconcilerCursor",
  "User",
];

export class InvariantViolation extends Error {}

/** One server process: its own view of the database, so its own in-memory state (the event-log queue). */
export class ServerProcess {
  readonly db: Db;

  constructor(
    private readonly w: World,
    readonly name: string,
  ) {
    this.db = serverDb(w.env.raw, w.tap);
  }

  ctx = () => ({ db: this.db, config: this.w.env.config, pricing: this.w.env.pricing });

  /** Vapi POSTs one server message, signed when it sends it (on its own clock). */
  async receive(m: Outgoing): Promise<number> {
    const { config } = this.w.env;
    const signedAt = this.w.clock + this.w.plan.skewSeconds * 1000;
    const rawBody = JSON.stringify(m.body);
    const headers = new Headers({
      "content-type": "application/json",
      "x-timestamp": String(signedAt),
      "x-signature": signHmac(config.vapi.accept.hmac!, signedAt, rawBody),
    });
    try {
      return (
        await receiveServerMessage(
          { ...this.ctx(), now: new Date(this.w.clock) },
          { headers, rawBody, clientIp: "203.0.113.7" },
        )
      ).status;
    } catch (error) {
      this.w.note(`  ${this.name}: the webhook threw on ${m.label} (${describe(error)}): 500`);
      return 500;
    }
  }

  /** One pass of a piece of background work, as the scheduler runs it: an error is logged, and the loop goes on. */
  async background(kind: Background) {
    const now = new Date(this.w.clock);
    const { plan, vapi, env } = this.w;
    try {
      if (kind === "enforcer") await enforceOnce(this.db, { timeoutMs: CONTROL_TIMEOUT_MS }, now);
      else if (kind === "message-retry") await retryUnprocessedMessages(this.ctx(), now);
      else if (!plan.reconciler) return;
      else if (kind === "tamper-check") await checkNewCallsForTampering(this.db, vapi.rest, now);
      else await reconcileOnce(this.db, vapi.rest, reconcilerOptions(env, plan), now);
    } catch (error) {
      this.w.note(`  ${this.name}: ${kind} threw (${describe(error)})`);
    }
  }
}

const reconcilerOptions = (env: SimEnv, plan: RunPlan): ReconcilerOptions => ({
  assistantId: ASSISTANT_ID,
  startTokenSecret: env.config.startTokenSecret,
  pricing: env.pricing,
  settleGraceSeconds: 60,
  lookbackMinutes: 24 * 60,
  pageSize: plan.pageSize,
});

export class World {
  clock = START;
  readonly tap = new DbTap();
  readonly vapi: SimVapi;
  readonly control: ControlRun;
  readonly faults = new FaultLog();
  readonly trace: string[] = [];
  processes: [ServerProcess, ServerProcess];
  users: string[] = [];
  readonly operator: CurrentUser = {
    id: "operator",
    email: "operator@sim.test",
    name: "Operator",
    role: "OPERATOR",
    suspendedAt: null,
    available: 0,
    held: 0,
  };
  readonly issued: Issued[] = [];
  /** Credits granted or deducted by key: confirmed when the call returned, else it may or may not have committed. */
  readonly adjustments = new Map<string, { userId: string; credits: number; confirmed: boolean }>();
  /** Calls we learned of while Vapi had them live: a message of theirs acknowledged, or a row in our database. */
  readonly learnedLive = new Set<string>();
  readonly liftedSuspension = new Set<string>();

  private constructor(
    readonly env: SimEnv,
    readonly plan: RunPlan,
    readonly scheduler: fc.Scheduler,
  ) {
    this.vapi = new SimVapi(plan.skewSeconds * 1000, env.control.urlOf);
    this.control = { vapi: this.vapi, now: () => this.clock, misbehave: new Map(), requests: [] };
    this.processes = [new ServerProcess(this, "server A"), new ServerProcess(this, "server B")];
  }

  static async begin(env: SimEnv, plan: RunPlan, scheduler: fc.Scheduler): Promise<World> {
    const w = new World(env, plan, scheduler);
    await env.raw.pool.query(TABLES.map((t) => `DELETE FROM "${t}";`).join(" "));
    w.users = plan.credits.map((_, i) => `user-${i}`);
    await env.raw.pool.query(
      `INSERT INTO "User" ("id", "email", "passwordHash", "role") SELECT id, id || '@sim.test', 'x', 'USER'::"Role" FROM unnest($1::text[]) AS id
       UNION ALL SELECT 'operator', 'operator@sim.test', 'x', 'OPERATOR'::"Role"`,
      [w.users],
    );
    await Promise.all(
      plan.credits.map(async (credits, i) => {
        if (!credits) return;
        const key = `setup:${w.users[i]}`;
        await grant(env.raw, {
          userId: w.users[i],
          credits,
          actor: "test",
          reason: "starting balance",
          idempotencyKey: key,
        });
        w.adjustments.set(key, { userId: w.users[i], credits, confirmed: true });
      }),
    );
    env.control.attach(w.control);
    if (plan.skewSeconds)
      w.faults.add(
        Math.abs(plan.skewSeconds) > 300
          ? "HMAC clock skew beyond tolerance (run)"
          : "HMAC clock skew within tolerance (run)",
      );
    if (!plan.reconciler) w.faults.add("no reconciler: webhooks only (run)");
    return w;
  }

  get a() {
    return this.processes[0];
  }

  model = (): Model => ({
    plan: this.plan,
    users: this.users.length,
    issued: this.issued.length,
    pending: this.vapi.outbox.length,
    calls: this.vapi.calls.size,
  });

  note(line: string) {
    this.trace.push(`t+${((this.clock - START) / 1000).toFixed(3)}s ${line}`);
  }

  passTime(ms: number) {
    this.clock += ms;
    this.vapi.advanceTo(this.clock);
  }

  /** A server process restarts: in-memory state is gone, the database carries on. */
  restart() {
    this.processes = [new ServerProcess(this, "server A"), this.processes[1]];
  }

  pick(sel: "oldest" | "newest" | number): Outgoing | undefined {
    const box = this.vapi.outbox;
    return sel === "oldest" ? box[0] : sel === "newest" ? box.at(-1) : box[sel % Math.max(1, box.length)];
  }

  /** Vapi's side of a delivery: done, given up, or kept for a retry. */
  delivered(m: Outgoing, status: number) {
    const box = this.vapi.outbox;
    if (!box.includes(m)) return;
    if (status < 300 || FINAL_STATUSES.has(status)) {
      box.splice(box.indexOf(m), 1);
      if (status >= 300) this.faults.add(`message refused with ${status}`);
    } else if (++m.attempts > this.plan.vapiRetries) {
      box.splice(box.indexOf(m), 1);
      this.faults.add("message given up by Vapi after failed deliveries");
    }
  }

  async deliver(m: Outgoing, p = this.a) {
    if (m !== this.vapi.outbox[0]) this.faults.add("message reordered");
    if (this.clock > m.emittedAt) this.faults.add("message delayed");
    const before = (label: string) => this.vapi.outbox.some((o) => o.callId === m.callId && o.label.startsWith(label));
    if (m.label.startsWith("end-of-call-report") && before("status-update in-progress"))
      this.faults.add("end-of-call report delivered before in-progress");
    this.faults.add("messages delivered");
    const status = await p.receive(m);
    this.note(`  ${m.label} → ${status}`);
    // Acted on (2xx) while live: from here on the call is ours to police. A 503 ("recorded, will
    // retry") is not yet a decision: if the call ends before the retry, nothing is left to end.
    if (status < 300 && this.vapi.calls.get(m.callId)?.endedAt === undefined) this.learnedLive.add(m.callId);
    this.delivered(m, status);
  }

  /** Runs actions concurrently, with fc.scheduler choosing which goes on at every database call. */
  async race(actions: Array<() => Promise<unknown>>) {
    const s = this.scheduler;
    this.tap.gate = (site) => s.schedule(Promise.resolve(), site);
    try {
      await s.waitFor(
        Promise.all(
          actions.map((act) => act().catch((error) => this.note(`  raced action threw (${describe(error)})`))),
        ),
      );
    } finally {
      this.tap.gate = null;
    }
  }

  disarm() {
    this.tap.fault = null;
    this.control.misbehave.clear();
    this.vapi.restOutage = 0;
  }

  private lastChecked = -1;

  /**
   * Notes which calls our database has just learned of, then checks every invariant. A step that
   * neither called the database nor reached a control URL (time passing, a fault armed, Vapi
   * starting a call) cannot break one that held: it is not checked again.
   */
  async afterStep(label: string) {
    const touched = this.tap.calls + this.control.requests.length;
    if (touched === this.lastChecked) return;
    this.lastChecked = touched;
    const { rows } = await this.env.raw.pool.query<{ vapiCallId: string }>(`SELECT "vapiCallId" FROM "Call"`);
    for (const { vapiCallId } of rows) {
      const c = this.vapi.calls.get(vapiCallId);
      // Ended by a control request during this step: it was live when this step found it.
      if (c && (c.endedAt === undefined || (c.endedBy === "control" && c.endedAt >= this.clock)))
        this.learnedLive.add(vapiCallId);
    }
    const problems = await stepProblems(this);
    if (problems.length) throw new InvariantViolation(this.failure(`after ${label}`, problems));
  }

  /** The faults this run injected, by kind. */
  tally(): FaultLog {
    for (const fired of this.tap.fired)
      this.faults.add(
        `database call threw ${fired.endsWith("(before)") ? "before reaching PostgreSQL" : "after it returned"}`,
      );
    for (const r of this.control.requests)
      if (typeof r.answer === "string")
        this.faults.add(r.answer === "fail" ? "control URL answered 500" : "control URL hung past the timeout");
    this.faults.add("Vapi REST request failed", this.vapi.restFailures);
    return this.faults;
  }

  failure(when: string, problems: string[]) {
    // A message retried every second for a minute is one line, not sixty.
    const lines: string[] = [];
    for (const line of this.trace) {
      const what = line.replace(/^t\+\S+ /, "");
      const last = lines.at(-1);
      if (last?.replace(/^t\+\S+ /, "").replace(/ \(again until .*\)$/, "") === what)
        lines[lines.length - 1] = `${last.replace(/ \(again until .*\)$/, "")} (again until ${line.split(" ")[0]})`;
      else lines.push(line);
    }
    const shown =
      lines.length > 100 ? [...lines.slice(0, 50), `… ${lines.length - 100} lines …`, ...lines.slice(-50)] : lines;
    return [
      `Invariant violated ${when}:`,
      ...problems.map((p) => `  - ${p}`),
      "Run trace:",
      ...shown.map((l) => `  ${l}`),
    ].join("\n");
  }
}

export function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  return (
    text
      .split("\n")
      .find((l) => l.trim())
      ?.slice(0, 200) ?? text
  );
}
