"use server";
import { operatorAction } from "@/lib/auth/validated-action";
import { db } from "@/lib/db/client";
import { endCallAsOperator } from "@/lib/dashboard/operator-end-call";
import { EndCallInput } from "@/lib/dashboard/schemas";

export const endCallAction = operatorAction(EndCallInput, (input, operator) =>
  endCallAsOperator(db(), operator, input.callId),
);
