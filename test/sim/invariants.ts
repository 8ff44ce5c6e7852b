import { checkInvariants } from "@/lib/credits/invariants";
import { END_AFTER_NOTICE_MS } from "@/lib/calls/timing";
import { creditsForSeconds } from "@/lib/credits/pricing";
import { endsCall } from "./control-url";
import type { World } from "./world";

// What must hold after every step (stepProblems) and once a run has drained (finalProblems), read
// from the database and compared with what the simulated Vapi, browsers and operators did.

type Reservation = {
  id: string;
  userId: string;
  credits: number;
  seconds: number;
  status: string;
  capturedCredits: number;
  vapiCallId: string | null;
};
type Call = {
  id: string;
  vapiCallId: string;
  userId: string | null;
  reservationId: string | null;
  status: string;
  creditsCharged: number | null;
  settled: boolean;
  checked: boolean;
  controlUrl: string | null;
  suspendedAt: number | null;
  flag: string | null;
  /** When our goodbye starts (the cutoff for calls too short for one). */
  goodbyeAt: number | null;
  endCallDueAt: number | null;
};
type Entry = {
  kind: string;
  userId: string;
  reservationId: string | null;
  availableDelta: number;
  heldDelta: number;
  idempotencyKey: string;
};
type Snapshot = { reservations: Reservation[]; calls: Call[]; entries: Entry[] };

async function snapshot(w: World): Promise<Snapshot> {
  const q = <T extends object>(sql: string) => w.env.raw.pool.query<T>(sql).then((r) => r.rows);
  const [reservations, calls, entries] = await Promise.all([
    q<Reservation>(
      `SELECT "id", "userId", "credits", "seconds", "status", "capturedCredits", "vapiCallId" FROM "Reservation"`,
    ),
    q<Call>(`SELECT c."id", c."vapiCallId", c."userId", c."reservationId", c."status", c."creditsCharged", c."settledAt" IS NOT NULL AS "settled",
               c."overridesCheckedAt" IS NOT NULL AS "checked", c."controlUrl", c."flag",
               (EXTRACT(EPOCH FROM u."suspendedAt") * 1000)::float8 AS "suspendedAt", (EXTRACT(EPOCH FROM COALESCE(c."goodbyeAt", c."cutoffAt")) * 1000)::float8 AS "goodbyeAt",
               (EXTRACT(EPOCH FROM c."endCallDueAt") * 1000)::float8 AS "endCallDueAt"
             FROM "Call" c LEFT JOIN "User" u ON u."id" = c."userId"`),
    q<Entry>(
      `SELECT "kind", "userId", "reservationId", "availableDelta", "heldDelta", "idempotencyKey" FROM "LedgerEntry" WHERE "kind" IN ('GRANT', 'DEDUCT', 'CAPTURE')`,
    ),
  ]);
  return { reservations, calls, entries };
}

export async function stepProblems(w: World): Promise<string[]> {
  const [sums, s] = await Promise.all([checkInvariants(w.env.raw), snapshot(w)]);
  const unauthenticated = w.control.requests
    .filter((r) => !r.authorized)
    .map((r) => `a ${r.type} request reached ${r.callId}'s control URL without the control bearer`);
  return [
    ...sums,
    ...ledgerProblems(w, s),
    ...billingProblems(w, s),
    ...suspensionProblems(w, s),
    ...earlyEndProblems(w, s),
    ...unauthenticated,
  ];
}

/** Captures happen once, after Vapi ended the call, within what was held; grants and deductions are the operators'. */
function ledgerProblems(w: World, s: Snapshot): string[] {
  const problems: string[] = [];
  for (const r of s.reservations) {
    const captures = s.entries.filter((e) => e.kind === "CAPTURE" && e.reservationId === r.id);
    if (captures.length > 1) problems.push(`reservation ${r.id} was captured ${captures.length} times`);
    for (const c of captures)
      if (-c.heldDelta > r.credits)
        problems.push(`reservation ${r.id} captured ${-c.heldDelta} of the ${r.credits} it held`);
    const call = r.vapiCallId ? w.vapi.calls.get(r.vapiCallId) : undefined;
    if (captures.length && call?.endedAt === undefined)
      problems.push(`reservation ${r.id} was captured while Vapi still had its call ${r.vapiCallId} live`);
    if (r.vapiCallId && (r.status === "RELEASED" || r.status === "EXPIRED"))
      problems.push(
        `reservation ${r.id} bound to call ${r.vapiCallId} was ${r.status.toLowerCase()} without a record of the call`,
      );
  }
  for (const e of s.entries.filter((x) => x.kind !== "CAPTURE")) {
    const made = w.adjustments.get(e.idempotencyKey);
    if (!made || made.userId !== e.userId || made.credits !== e.availableDelta)
      problems.push(
        `ledger entry ${e.idempotencyKey} (${e.availableDelta} for ${e.userId}) matches no grant or deduction an operator made`,
      );
  }
  for (const [key, made] of w.adjustments) {
    if (made.confirmed && !s.entries.some((e) => e.idempotencyKey === key))
      problems.push(`the ${made.credits} credits confirmed to the operator for ${made.userId} are not in the ledger`);
  }
  return problems;
}

/** Only calls started with our start token bind, each to that token's reservation, and are billed what Vapi says they used. */
function billingProblems(w: World, s: Snapshot): string[] {
  const problems: string[] = [];
  for (const c of s.calls) {
    const settlements = w.tap.settlements.get(c.id) ?? 0;
    if (settlements > 1) problems.push(`call ${c.vapiCallId} was settled ${settlements} times`);
    const sim = w.vapi.calls.get(c.vapiCallId);
    if (!c.reservationId) {
      if (c.creditsCharged)
        problems.push(
          `call ${c.vapiCallId} (${c.status}) was charged ${c.creditsCharged} credits without a reservation`,
        );
      continue;
    }
    const r = s.reservations.find((x) => x.id === c.reservationId);
    const token = sim?.token === undefined ? undefined : w.issued[sim.token];
    if (
      !sim ||
      sim.origin !== "browser" ||
      token?.reservationId !== c.reservationId ||
      r?.vapiCallId !== c.vapiCallId
    ) {
      problems.push(
        `call ${c.vapiCallId} (${sim?.origin ?? "unknown to Vapi"}) is bound to reservation ${c.reservationId}, which its start token did not name`,
      );
      continue;
    }
    if (!c.settled) continue;
    const seconds = w.vapi.secondsOf(sim);
    if (seconds === undefined) {
      problems.push(`call ${c.vapiCallId} was settled while Vapi still had it live`);
      continue;
    }
    const most = Math.min(creditsForSeconds(seconds, w.env.pricing), r.credits);
    const least = creditsForSeconds(Math.min(seconds, r.seconds), w.env.pricing);
    if (r.status !== "CAPTURED" || c.creditsCharged !== r.capturedCredits)
      problems.push(
        `call ${c.vapiCallId} billed ${c.creditsCharged} but its reservation is ${r.status} with ${r.capturedCredits} captured`,
      );
    else if (c.creditsCharged < least || c.creditsCharged > most) {
      problems.push(
        `call ${c.vapiCallId} ran ${seconds} s on ${r.credits} credits (${r.seconds} s) and was billed ${c.creditsCharged}, not between ${least} and ${most}`,
      );
    }
  }
  return problems;
}

/** A suspended account's live paid call is being ended: asked since the suspension, or its end-call due right after it. */
function suspensionProblems(w: World, s: Snapshot): string[] {
  return s.calls
    .filter(
      (c) =>
        c.status === "ACTIVE" &&
        c.suspendedAt !== null &&
        c.controlUrl &&
        w.vapi.calls.get(c.vapiCallId)?.endedAt === undefined,
    )
    .filter((c) => !w.control.requests.some((r) => r.callId === c.vapiCallId && endsCall(r) && r.at >= c.suspendedAt!))
    .filter((c) => c.endCallDueAt === null || c.endCallDueAt > c.suspendedAt! + END_AFTER_NOTICE_MS)
    .map(
      (c) =>
        `call ${c.vapiCallId} of suspended ${c.userId} is live: nothing asked it to end, and no end-call is due before its cutoff`,
    );
}

const REASONS_TO_END_EARLY = new Set(["OPERATOR", "TAMPER", "SUSPENDED"]);

/** A paid call is asked to end before its goodbye only by an operator, a suspension or tampering: never refused. */
function earlyEndProblems(w: World, s: Snapshot): string[] {
  return s.calls
    .filter((c) => c.reservationId)
    .flatMap((c) => {
      const early = w.control.requests.find(
        (r) => r.callId === c.vapiCallId && endsCall(r) && (c.goodbyeAt === null || r.at < c.goodbyeAt),
      );
      if (!early || REASONS_TO_END_EARLY.has(c.flag ?? "") || (c.suspendedAt !== null && c.suspendedAt <= early.at))
        return [];
      return [
        `paid call ${c.vapiCallId} was asked to end at ${new Date(early.at).toISOString()}, before its goodbye, for no reason it records (${early.type}: ${early.content ?? ""})`,
      ];
    });
}

/** Once every message was delivered and background work ran until nothing was due. */
export async function finalProblems(w: World): Promise<string[]> {
  const s = await snapshot(w);
  const problems: string[] = [];
  if (w.vapi.outbox.length) problems.push(`${w.vapi.outbox.length} messages were never delivered`);
  for (const sim of w.vapi.calls.values()) {
    const c = s.calls.find((x) => x.vapiCallId === sim.id);
    if (sim.endedAt === undefined) problems.push(`call ${sim.id} is still live at Vapi after draining`);
    else if (!c?.settled)
      problems.push(
        `call ${sim.id} ended at Vapi (${w.vapi.secondsOf(sim)} s) but was never settled (${c ? `our status ${c.status}` : "we never recorded it"})`,
      );
    const asked = w.control.requests.some((r) => r.callId === sim.id && endsCall(r));
    // Its end-call was due at endCallDueAt: a call that ended before then needed none (its notice
    // may be lost, when the statement that recorded it committed but its answer never came back).
    const endedBeforeDue = c?.endCallDueAt != null && sim.endedAt !== undefined && sim.endedAt < c.endCallDueAt;
    if (sim.controlUrl && !c?.reservationId && w.learnedLive.has(sim.id) && !asked && !endedBeforeDue)
      problems.push(
        `unauthorized call ${sim.id} was live when we learned of it, and no end request reached its control URL`,
      );
    const tampered = sim.tamper !== "none" && sim.tamper !== "longer";
    if (tampered && c?.reservationId && c.checked && !w.liftedSuspension.has(c.userId!) && c.suspendedAt === null) {
      problems.push(`call ${sim.id} overrode ${sim.tamper} and was checked, but ${c.userId} is not suspended`);
    }
  }
  for (const r of s.reservations.filter((x) => x.status === "HELD"))
    problems.push(`reservation ${r.id} still holds ${r.credits} credits after draining`);
  const { rows: unprocessed } = await w.env.raw.pool.query<{ dedupeKey: string; lastError: string | null }>(
    `SELECT "dedupeKey", "lastError" FROM "WebhookEvent" WHERE "outcome" = 'ACCEPTED' AND "processedAt" IS NULL`,
  );
  for (const e of unprocessed)
    problems.push(`message ${e.dedupeKey} was recorded but never acted on (${e.lastError ?? "no error recorded"})`);
  return problems;
}
