import { cancelUnstartedCall } from "@/lib/calls/call-state";
import { startCall } from "@/lib/calls/start-call";
import { signStartToken } from "@/lib/calls/start-token";
import { adjustCredits, suspendUser, unsuspendUser } from "@/lib/dashboard/user-actions";
import { describe, type ServerProcess, type World } from "./world";
import type { ReportPlan, Tamper } from "./vapi";

// What people do: callers reserve and start calls (or forge them), operators change balances and
// suspend accounts. Each goes through the lib/ function the app's pages and actions call.

const userOf = (w: World, i: number) => w.users[i % w.users.length];

/** "Talk to coach": the server action checks the user afresh and reserves credits. */
export async function reserve(w: World, p: ServerProcess, user: number) {
  const userId = userOf(w, user);
  const {
    rows: [row],
  } = await w.env.raw.pool.query<{ suspendedAt: Date | null }>(`SELECT "suspendedAt" FROM "User" WHERE "id" = $1`, [
    userId,
  ]);
  try {
    const start = await startCall(
      p.db,
      { id: userId, suspendedAt: row?.suspendedAt ?? null },
      w.env.config,
      w.env.pricing,
      new Date(w.clock),
    );
    w.issued.push({
      userId,
      reservationId: start.reservation.id,
      overrides: start.assistantOverrides,
      expiresAt: Date.parse(start.reservation.expiresAt),
      uses: 0,
    });
    w.note(
      `  ${userId} holds ${start.reservation.credits} credits (${start.reservation.seconds} s): start token #${w.issued.length - 1}`,
    );
  } catch (error) {
    w.note(`  ${userId} could not start (${describe(error)})`);
  }
}

/** The browser calls vapi.start() with a start token (again, if it was used before: a replay). */
export function browserStarts(w: World, token: number, tamper: Tamper, talkSeconds: number, report: ReportPlan) {
  const i = token % w.issued.length;
  const issued = w.issued[i];
  // Without the reconciler nothing could ever learn of a silenced call or a report never sent.
  if (!w.plan.reconciler && tamper === "silenced") tamper = "none";
  if (!w.plan.reconciler && report === "never") report = "once";
  if (issued.uses++ > 0) w.faults.add("start token replayed");
  if (w.clock > issued.expiresAt) w.faults.add("start token used after its reservation expired");
  if (tamper !== "none") w.faults.add(`overrides tampered (${tamper})`);
  if (report !== "once") w.faults.add(`end-of-call report ${report === "twice" ? "sent twice" : "never sent"}`);
  const call = w.vapi.start(
    {
      origin: "browser",
      token: i,
      tamper,
      overrides: structuredClone(issued.overrides),
      talkMs: talkSeconds * 1000,
      report,
    },
    w.clock,
  );
  w.note(
    `  ${call.id} starts with token #${i}${tamper === "none" ? "" : `, tampered (${tamper})`}, caller talks ${talkSeconds} s`,
  );
}

/** Someone who read the public key starts a call with a forged start token, or none. */
export function rogueStarts(w: World, kind: "forged" | "missing", user: number, talkSeconds: number) {
  const userId = userOf(w, user);
  const reservationId = w.issued.findLast((t) => t.userId === userId)?.reservationId ?? "no-such-reservation";
  const startToken = signStartToken("a-guessed-start-token-secret", {
    reservationId,
    userId,
    expiresAt: new Date(w.clock + 60_000),
  });
  const overrides = kind === "forged" ? { metadata: { userId, reservationId, startToken } } : {};
  w.faults.add(`start token ${kind}`);
  const call = w.vapi.start(
    { origin: kind, tamper: "none", overrides, talkMs: talkSeconds * 1000, report: "once" },
    w.clock,
  );
  w.note(`  ${call.id} starts with a ${kind} token, caller talks ${talkSeconds} s`);
}

/** The page could not start the call and gives its reservation back. */
export async function browserGivesUp(w: World, p: ServerProcess, token: number) {
  const issued = w.issued[token % w.issued.length];
  try {
    w.note(
      `  cancel of ${issued.reservationId}: ${await cancelUnstartedCall(p.db, issued.userId, issued.reservationId)}`,
    );
  } catch (error) {
    w.note(`  cancel threw (${describe(error)})`);
  }
}

export async function operatorAdjusts(
  w: World,
  p: ServerProcess,
  user: number,
  direction: "grant" | "deduct",
  credits: number,
) {
  const userId = userOf(w, user);
  const idempotencyKey = `00000000-0000-4000-8000-${String(w.adjustments.size).padStart(12, "0")}`;
  const entry = { userId, credits: direction === "grant" ? credits : -credits, confirmed: false };
  w.adjustments.set(`operator-adjust:${idempotencyKey}`, entry);
  w.faults.add(`operator ${direction === "grant" ? "grant" : "deduction"}${liveCallOf(w, userId) ? " mid-call" : ""}`);
  try {
    await adjustCredits(p.db, w.operator, { userId, direction, credits, reason: "simulated operator", idempotencyKey });
    entry.confirmed = true;
  } catch (error) {
    w.note(`  ${direction} of ${credits} for ${userId} refused (${describe(error)})`);
  }
}

export async function operatorSuspends(w: World, p: ServerProcess, user: number) {
  const userId = userOf(w, user);
  w.faults.add(`operator suspension${liveCallOf(w, userId) ? " mid-call" : ""}`);
  try {
    const { liveCallsEnding } = await suspendUser(
      p.db,
      w.operator,
      { userId, reason: "simulated review" },
      new Date(w.clock),
    );
    w.note(`  ${userId} suspended, ${liveCallsEnding} live call(s) ending`);
  } catch (error) {
    w.note(`  suspending ${userId} failed (${describe(error)})`);
  }
}

export async function operatorLiftsSuspension(w: World, p: ServerProcess, user: number) {
  const userId = userOf(w, user);
  w.liftedSuspension.add(userId);
  try {
    await unsuspendUser(p.db, w.operator, { userId, reason: "simulated review done" });
  } catch (error) {
    w.note(`  lifting ${userId}'s suspension failed (${describe(error)})`);
  }
}

/** A live call at Vapi that carries one of this user's start tokens. */
function liveCallOf(w: World, userId: string) {
  return w.vapi.live().some((c) => c.token !== undefined && w.issued[c.token].userId === userId);
}
