// Shapes handed to client components: plain JSON (numbers and ISO strings), no server imports.
import type { CallFlag } from "@/lib/generated/prisma/enums";

export type DailyPoint = { day: string; minutes: number; vapiCostUsd: number; creditsBilled: number };

export type LiveCall = {
  id: string;
  vapiCallId: string;
  userId: string | null;
  email: string | null;
  startedAt: string;
  elapsedSeconds: number;
  /** cutoffAt − now; null when the call has no cutoff (it should always have one). */
  remainingSeconds: number | null;
  lastLines: string[];
  /** Why we are ending it early (operator, tamper, cutoff…), if we are. */
  flag: CallFlag | null;
  /** An operator already asked for the end, or end-call went out: no second button. */
  ending: boolean;
};

export type LiveCallsSnapshot = { now: string; calls: LiveCall[] };

export type EndCallOutcome = { ok: boolean; detail: string };
