import { operatorRefusal, type CurrentUser } from "@/lib/auth/session";

/**
 * Functions that change things take the operator who asks and check the role themselves, so a
 * caller that forgot its guard still cannot act for a plain user.
 */
export function assertOperator(user: CurrentUser | null | undefined): asserts user is CurrentUser {
  const refusal = operatorRefusal(user);
  if (refusal) throw refusal;
}

/** How an operator appears in the ledger's `actor` column and in end-call requests. */
export const operatorActor = (operator: CurrentUser) => `operator:${operator.id}`;
