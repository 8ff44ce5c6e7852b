"use server";
import { operatorAction } from "@/lib/auth/validated-action";
import { db } from "@/lib/db/client";
import { approveCreditRequest, declineCreditRequest } from "@/lib/dashboard/credit-requests";
import { ApproveCreditRequestInput, DeclineCreditRequestInput } from "@/lib/dashboard/schemas";

export const approveCreditRequestAction = operatorAction(ApproveCreditRequestInput, (input, operator) =>
  approveCreditRequest(db(), operator, input),
);

export const declineCreditRequestAction = operatorAction(DeclineCreditRequestInput, (input, operator) =>
  declineCreditRequest(db(), operator, input),
);
