import { z } from "zod";
import type { CurrentUser } from "@/lib/auth/session";
import { UserFacingError } from "@/lib/auth/validated-action";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { hitRateLimit } from "@/lib/rate-limit";

export const MAX_REQUESTED_CREDITS = 10_000;
const REQUESTS_PER_DAY = 5;

export const CreditRequestInput = z.object({
  credits: z.coerce
    .number()
    .int("Credits must be a whole number.")
    .positive("Ask for at least 1 credit.")
    .max(MAX_REQUESTED_CREDITS, `Ask for at most ${MAX_REQUESTED_CREDITS.toLocaleString("en")} credits at a time.`),
  note: z
    .string()
    .trim()
    .min(3, "Tell the operator why (at least 3 characters).")
    .max(500, "Keep the note under 500 characters."),
});
export type CreditRequestInput = z.infer<typeof CreditRequestInput>;

export type CreditRequestView = {
  id: string;
  credits: number;
  note: string;
  status: "OPEN" | "APPROVED" | "DECLINED";
  createdAt: Date;
  decidedAt: Date | null;
  decisionReason: string | null;
  grantedCredits: number | null;
};

const viewSelect = {
  id: true,
  credits: true,
  note: true,
  status: true,
  createdAt: true,
  decidedAt: true,
  decisionReason: true,
  ledgerEntry: { select: { availableDelta: true } },
} as const;

function toView({
  ledgerEntry,
  ...r
}: Prisma.CreditRequestGetPayload<{ select: typeof viewSelect }>): CreditRequestView {
  return { ...r, grantedCredits: ledgerEntry?.availableDelta ?? null };
}

/**
 * A user asks operators for credits: one open request at a time (a partial unique index), and a
 * few a day, so declined requests cannot be repeated into a flood.
 */
export async function requestCredits(
  db: Db,
  user: CurrentUser,
  input: CreditRequestInput,
  now = new Date(),
): Promise<CreditRequestView> {
  if (user.suspendedAt) throw new UserFacingError("Your account is suspended. Please contact support.");
  const limit = await hitRateLimit(db, `credit-request:${user.id}`, REQUESTS_PER_DAY, 86_400, now);
  if (!limit.allowed)
    throw new UserFacingError(`You have asked for credits ${REQUESTS_PER_DAY} times today. Please try again tomorrow.`);
  try {
    return toView(
      await db.creditRequest.create({
        data: { userId: user.id, credits: input.credits, note: input.note },
        select: viewSelect,
      }),
    );
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new UserFacingError("You already have a request waiting for an operator.");
    }
    throw error;
  }
}

/** The user's newest request, open or decided: what the coach page tells them about it. */
export async function latestCreditRequest(db: Db, userId: string): Promise<CreditRequestView | null> {
  if (!userId) return null;
  const request = await db.creditRequest.findFirst({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: viewSelect,
  });
  return request && toView(request);
}
