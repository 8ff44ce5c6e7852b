import type fc from "fast-check";
import * as act from "./actions";
import type { ControlMisbehaviour } from "./control-url";
import type { DbFault } from "./faulty-db";
import type { ReportPlan, Tamper } from "./vapi";
import { BACKGROUND, type Background, type Model, type World } from "./world";

// The steps a run is made of (command-arbitraries.ts generates them). Each step acts through lib/
// and is followed by every invariant (World.afterStep). Selectors are plain numbers taken modulo
// what exists when the step runs, so any shrunk sequence still means something.

export type Pick = "oldest" | "newest" | number;

abstract class Step implements fc.AsyncCommand<Model, World> {
  abstract toString(): string;
  check(m: Readonly<Model>): boolean {
    void m;
    return true;
  }
  protected abstract act(w: World): Promise<void>;
  async run(m: Model, w: World) {
    w.note(this.toString());
    w.faults.add("steps run");
    await this.act(w);
    await w.afterStep(this.toString());
    Object.assign(m, w.model());
  }
}

export class ReserveCall extends Step {
  constructor(
    readonly user: number,
    readonly tabs: 1 | 2,
  ) {
    super();
  }
  toString() {
    return `ReserveCall(user ${this.user}${this.tabs === 2 ? ", from two tabs at once" : ""})`;
  }
  async act(w: World) {
    if (this.tabs === 1) return act.reserve(w, w.a, this.user);
    w.faults.add("two tabs start at once");
    await w.race([() => act.reserve(w, w.processes[0], this.user), () => act.reserve(w, w.processes[1], this.user)]);
  }
}

export class BrowserStartsCall extends Step {
  constructor(
    readonly token: number,
    readonly tamper: Tamper,
    readonly talkSeconds: number,
    readonly report: ReportPlan,
  ) {
    super();
  }
  toString() {
    return `BrowserStartsCall(token ${this.token}, tamper ${this.tamper}, talks ${this.talkSeconds} s, report ${this.report})`;
  }
  check(m: Readonly<Model>) {
    return m.issued > 0;
  }
  async act(w: World) {
    act.browserStarts(w, this.token, this.tamper, this.talkSeconds, this.report);
  }
}

export class RogueStartsCall extends Step {
  constructor(
    readonly kind: "forged" | "missing",
    readonly user: number,
    readonly talkSeconds: number,
  ) {
    super();
  }
  toString() {
    return `RogueStartsCall(${this.kind} token, user ${this.user}, talks ${this.talkSeconds} s)`;
  }
  async act(w: World) {
    act.rogueStarts(w, this.kind, this.user, this.talkSeconds);
  }
}

export class DeliverMessage extends Step {
  constructor(
    readonly pick: Pick,
    readonly how: "once" | "and-again-later" | "twice-at-once",
  ) {
    super();
  }
  toString() {
    return `DeliverMessage(${this.pick}, ${this.how})`;
  }
  check(m: Readonly<Model>) {
    return m.pending > 0;
  }
  async act(w: World) {
    const m = w.pick(this.pick);
    if (!m) return;
    if (this.how === "and-again-later") {
      w.faults.add("message duplicated (later)");
      w.vapi.outbox.push({ ...m, attempts: 0 });
    }
    if (this.how !== "twice-at-once") return w.deliver(m);
    w.faults.add("message duplicated (concurrently)");
    const copy = { ...m };
    await w.race([() => w.deliver(m, w.processes[0]), () => w.processes[1].receive(copy)]);
  }
}

export class DropMessage extends Step {
  constructor(readonly pick: Pick) {
    super();
  }
  toString() {
    return `DropMessage(${this.pick})`;
  }
  check(m: Readonly<Model>) {
    return m.pending > 0 && m.plan.reconciler;
  }
  async act(w: World) {
    const m = w.pick(this.pick);
    if (!m) return;
    w.faults.add(`message dropped (${m.label.split(" of ")[0]})`);
    w.note(`  dropped ${m.label}`);
    w.vapi.outbox.splice(w.vapi.outbox.indexOf(m), 1);
  }
}

export class PassTime extends Step {
  constructor(readonly seconds: number) {
    super();
  }
  toString() {
    return `PassTime(${this.seconds} s)`;
  }
  async act(w: World) {
    w.passTime(this.seconds * 1000);
  }
}

export class RunBackground extends Step {
  constructor(readonly kind: Background | "all") {
    super();
  }
  toString() {
    return `RunBackground(${this.kind})`;
  }
  async act(w: World) {
    for (const kind of this.kind === "all" ? BACKGROUND : [this.kind]) await w.a.background(kind);
  }
}

export type Racer =
  | { kind: "deliver"; pick: Pick }
  | { kind: "background"; what: Background }
  | { kind: "suspend" | "reserve" | "adjust"; user: number }
  | { kind: "give-up"; token: number };

const racerLabel = (r: Racer) =>
  "pick" in r
    ? `deliver ${r.pick}`
    : "what" in r
      ? r.what
      : "user" in r
        ? `${r.kind} user ${r.user}`
        : `give up token ${r.token}`;

export class Race extends Step {
  constructor(
    readonly first: Racer,
    readonly second: Racer,
  ) {
    super();
  }
  toString() {
    return `Race(${racerLabel(this.first)} | ${racerLabel(this.second)})`;
  }
  async act(w: World) {
    w.faults.add(`race: ${this.first.kind} vs ${this.second.kind}`);
    const run = (r: Racer, i: 0 | 1) => async () => {
      const p = w.processes[i];
      if (r.kind === "deliver") {
        const m = w.pick(r.pick);
        if (m) await w.deliver(m, p);
      } else if (r.kind === "background") await p.background(r.what);
      else if (r.kind === "suspend") await act.operatorSuspends(w, p, r.user);
      else if (r.kind === "reserve") await act.reserve(w, p, r.user);
      else if (r.kind === "adjust") await act.operatorAdjusts(w, p, r.user, "deduct", 3);
      else if (r.kind === "give-up" && w.issued.length) await act.browserGivesUp(w, p, r.token);
    };
    await w.race([run(this.first, 0), run(this.second, 1)]);
  }
}

export class OperatorAdjusts extends Step {
  constructor(
    readonly user: number,
    readonly direction: "grant" | "deduct",
    readonly credits: number,
  ) {
    super();
  }
  toString() {
    return `OperatorAdjusts(user ${this.user}, ${this.direction} ${this.credits})`;
  }
  act(w: World) {
    return act.operatorAdjusts(w, w.a, this.user, this.direction, this.credits);
  }
}

export class OperatorSuspends extends Step {
  constructor(
    readonly user: number,
    readonly lift: boolean,
  ) {
    super();
  }
  toString() {
    return `Operator${this.lift ? "LiftsSuspension" : "Suspends"}(user ${this.user})`;
  }
  act(w: World) {
    return this.lift ? act.operatorLiftsSuspension(w, w.a, this.user) : act.operatorSuspends(w, w.a, this.user);
  }
}

export class BrowserGivesUp extends Step {
  constructor(readonly token: number) {
    super();
  }
  toString() {
    return `BrowserGivesUp(token ${this.token})`;
  }
  check(m: Readonly<Model>) {
    return m.issued > 0;
  }
  act(w: World) {
    return act.browserGivesUp(w, w.a, this.token);
  }
}

export class DatabaseFails extends Step {
  constructor(readonly fault: DbFault) {
    super();
  }
  toString() {
    return `DatabaseFails(${this.fault.when} ${this.fault.site}, skipping ${this.fault.skip})`;
  }
  async act(w: World) {
    w.tap.fault = { ...this.fault };
  }
}

export class ControlUrlMisbehaves extends Step {
  constructor(
    readonly call: number,
    readonly how: ControlMisbehaviour,
    readonly times: number,
  ) {
    super();
  }
  toString() {
    return `ControlUrlMisbehaves(call ${this.call}, ${this.how} ×${this.times})`;
  }
  check(m: Readonly<Model>) {
    return m.calls > 0;
  }
  async act(w: World) {
    // A live call's control URL, if there is one: an ended call is asked nothing more.
    const live = w.vapi.live().map((c) => c.id);
    const calls = live.length ? live : [...w.vapi.calls.keys()];
    w.control.misbehave.set(calls[this.call % calls.length], Array(this.times).fill(this.how));
  }
}

export class VapiApiOutage extends Step {
  constructor(readonly requests: number) {
    super();
  }
  toString() {
    return `VapiApiOutage(next ${this.requests} requests)`;
  }
  check(m: Readonly<Model>) {
    return m.plan.reconciler;
  }
  async act(w: World) {
    w.vapi.restOutage = this.requests;
  }
}

export class Restart extends Step {
  toString() {
    return "Restart(server A)";
  }
  async act(w: World) {
    w.faults.add("server restarted");
    w.restart();
  }
}
