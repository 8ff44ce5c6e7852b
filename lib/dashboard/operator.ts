import type { CurrentUser } from "@/lib/auth/session";

/** How an operator appears in the ledger's `actor` column and in end-call requests. */
export const operatorActor = (operator: CurrentUser) => `operator:${operator.id}`;
