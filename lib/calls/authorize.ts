import { z } from "zod";
import type { Db } from "@/lib/db/client";
import type { Call, CallFlag } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { bindReservation } from "@/lib/credits/ledger";
import { sayOnCall } from "@/lib/vapi/control";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { type StartTokenClaims, verifyStartToken } from "./start-token";
import { END_AFTER_NOTICE_MS, callDeadlines } from "./timing";

const StartMetadata = z.object({
  userId: z.string().min(1),
  reservationId: z.string().min(1),
  startToken: z.string().min(1),
});

export type CallSighting = {
  vapiCallId: string;
  controlUrl?: string;
  /** `call.assistantOverrides.metadata` as Vapi delivered it: chosen by the browser, so untrusted. */
  metadata: unknown;
  /** When the call started (the start token must have been valid then). */
  startedAt: Date;
  /** False when we learn of the call only after it ended: no notice to speak. */
  live: boolean;
};

export type Authorization = { call: Call; fresh: boolean };

export const UNAUTHORIZED_NOTICE =
  "Sorry, this call was not started through Coach Call, so it can't continue. Goodbye.";

function isUniqueViolation(error: unknown) {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** What a call's metadata proves: the start token's claims when it is ours, and why it is not valid (null when it is). */
export type StartCheck = { claims: StartTokenClaims | null; invalidFor: CallFlag | null };

/** Checks the start token in a call's metadata (the browser's, so untrusted) as of `at`. */
export function checkStart(metadata: unknown, secret: string, at: Date): StartCheck {
  const meta = StartMetadata.safeParse(metadata);
  const check = verifyStartToken(secret, meta.success ? meta.data.startToken : undefined, at);
  if (!check.ok) return { claims: null, invalidFor: check.reason };
  const { claims } = check;
  if (meta.success && (claims.userId !== meta.data.userId || claims.reservationId !== meta.data.reservationId))
    return { claims, invalidFor: "TOKEN_MISMATCH" };
  return { claims, invalidFor: null };
}

/**
 * Decides, once per Vapi call, whether it is paid for: a valid start token whose reservation binds
 * to this call and no other. Anything else is recorded as UNAUTHORIZED and, if live, told to end.
 */
export async function authorizeCall(db: Db, s: CallSighting, secret: string, now = new Date()): Promise<Authorization> {
  const known = await db.call.findUnique({ where: { vapiCallId: s.vapiCallId } });
  if (known) return { call: known, fresh: false };

  const { claims, invalidFor } = checkStart(s.metadata, secret, s.startedAt);
  let unauthorizedFor = invalidFor;
  const claimedUser = claims?.userId ?? null;

  try {
    if (!unauthorizedFor && claims) {
      const call = await db.$transaction(async (tx) => {
        // FOR SHARE: a suspension committing meanwhile waits for this bind (and then ends the call), or is seen here.
        const [holder] = await tx.$queryRaw<{ suspendedAt: Date | null }[]>`
          SELECT u."suspendedAt" FROM "User" u JOIN "Reservation" r ON r."userId" = u."id" WHERE r."id" = ${claims.reservationId} FOR SHARE OF u`;
        if (holder?.suspendedAt) return "SUSPENDED" as const;
        if (!(await bindReservation(tx, claims.reservationId, s.vapiCallId, s.startedAt))) return null;
        const reservation = await tx.reservation.findUniqueOrThrow({ where: { id: claims.reservationId } });
        return tx.call.create({
          data: {
            vapiCallId: s.vapiCallId,
            userId: reservation.userId,
            reservationId: reservation.id,
            status: "ACTIVE",
            controlUrl: s.controlUrl,
            startedAt: s.startedAt,
            vapiStatus: "in-progress",
            ...callDeadlines(s.startedAt, reservation.seconds),
          },
        });
      });
      if (call && call !== "SUSPENDED") return { call, fresh: true };
      unauthorizedFor = call ?? "REPLAYED_TOKEN";
    }
    return { call: await recordUnauthorized(db, s, unauthorizedFor ?? "MISSING_TOKEN", claimedUser, now), fresh: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return { call: await db.call.findUniqueOrThrow({ where: { vapiCallId: s.vapiCallId } }), fresh: false };
  }
}

async function recordUnauthorized(
  db: Db,
  s: CallSighting,
  flag: CallFlag,
  userId: string | null,
  now: Date,
): Promise<Call> {
  // Speak first: the call costs money every second, and the records can be written meanwhile.
  const notice =
    s.live && s.controlUrl ? sayOnCall(s.controlUrl, UNAUTHORIZED_NOTICE, { endCallAfterSpoken: true }) : null;
  if (notice) metrics.unauthorizedCallsEnded.inc();
  const user = userId ? await db.user.findUnique({ where: { id: userId }, select: { id: true } }) : null;
  // The call and its alert commit together: a retry after a failure finds the call and stops there.
  const [call] = await db.$transaction([
    db.call.create({
      data: {
        vapiCallId: s.vapiCallId,
        userId: user?.id,
        status: "UNAUTHORIZED",
        flag,
        controlUrl: s.controlUrl,
        startedAt: s.startedAt,
        vapiStatus: s.live ? "in-progress" : "ended",
        endCallDueAt: s.live ? new Date(now.getTime() + END_AFTER_NOTICE_MS) : null,
      },
    }),
    db.alert.create({
      data: {
        kind: "UNAUTHORIZED_CALL",
        userId: user?.id,
        vapiCallId: s.vapiCallId,
        message: `Call without a valid start (${flag})${s.controlUrl ? "" : "; it has no control URL to end it"}.`,
      },
    }),
  ]);
  log.warn(
    { callId: s.vapiCallId, userId: user?.id, flag, live: s.live },
    "Call without a valid start: unauthorized, ending it",
  );
  await notice;
  return call;
}
