"use server";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { appConfig } from "@/lib/config";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { userAction, UserFacingError } from "@/lib/auth/validated-action";
import { StartRefused, startCall } from "@/lib/calls/start-call";
import { coachCallState, giveUpStart } from "@/lib/calls/call-state";
import { vapiRestFor } from "@/lib/calls/vapi-rest";
import { CreditRequestInput, requestCredits } from "@/lib/credits/requests";

export const startCoachCall = userAction(z.object({}), async (_input, user) => {
  try {
    return await startCall(db(), user, appConfig(), pricingFromEnv());
  } catch (error) {
    if (error instanceof StartRefused) throw new UserFacingError(error.message);
    throw error;
  }
});

const ReservationRef = z.object({ reservationId: z.string().min(1).max(100) });

export const getCoachCallState = userAction(ReservationRef, async ({ reservationId }, user) => {
  const state = await coachCallState(db(), user.id, reservationId);
  if (!state) throw new UserFacingError("No such call.");
  return state;
});

/** `vapiCallId`: the id Vapi gave the call, when it created one; only Vapi's record of it is believed. */
const GivenUpStart = ReservationRef.extend({ vapiCallId: z.string().min(1).max(256).optional() });

export const cancelCoachCall = userAction(GivenUpStart, async ({ reservationId, vapiCallId }, user) => {
  const config = appConfig();
  const vapi = { rest: vapiRestFor(config), startTokenSecret: config.startTokenSecret, pricing: pricingFromEnv() };
  return giveUpStart(db(), vapi, { userId: user.id, reservationId, vapiCallId });
});

export const requestCreditsAction = userAction(CreditRequestInput, (input, user) => requestCredits(db(), user, input));
