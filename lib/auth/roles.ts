import type { CurrentUser } from "./session";

// The operator rule on its own, without the session (next-auth): the data layer re-checks it on
// every dashboard read and write, and scripts that call those functions need no sign-in machinery.

const REFUSALS = {
  "signed-out": "Please sign in.",
  "not-operator": "Operators only.",
  suspended: "This account is suspended.",
} as const;

export class AccessDenied extends Error {
  constructor(readonly reason: keyof typeof REFUSALS) {
    super(REFUSALS[reason]);
  }
}

/** Why `user` may not act as an operator, or null if they may: the one rule for pages, routes and actions. */
export function operatorRefusal(user: CurrentUser | null | undefined): AccessDenied | null {
  if (!user) return new AccessDenied("signed-out");
  if (user.role !== "OPERATOR") return new AccessDenied("not-operator");
  if (user.suspendedAt) return new AccessDenied("suspended");
  return null;
}

/**
 * Throws unless `user` may act as an operator. The dashboard's reads and writes (lib/dashboard)
 * call it on the user they are given before their first query: a caller that forgot its guard
 * still cannot see or change anyone's data.
 */
export function assertOperator(user: CurrentUser | null | undefined): asserts user is CurrentUser {
  const refusal = operatorRefusal(user);
  if (refusal) throw refusal;
}
