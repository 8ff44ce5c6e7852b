"use server";
import { operatorAction } from "@/lib/auth/validated-action";
import { db } from "@/lib/db/client";
import { AdjustCreditsInput, SuspensionInput } from "@/lib/dashboard/schemas";
import { adjustCredits, suspendUser, unsuspendUser } from "@/lib/dashboard/user-actions";

export const adjustCreditsAction = operatorAction(AdjustCreditsInput, (input, operator) =>
  adjustCredits(db(), operator, input),
);

export const suspendUserAction = operatorAction(SuspensionInput, (input, operator) =>
  suspendUser(db(), operator, input),
);

export const unsuspendUserAction = operatorAction(SuspensionInput, (input, operator) =>
  unsuspendUser(db(), operator, input),
);
