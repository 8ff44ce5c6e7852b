import { getServerSession } from "next-auth";
import { db } from "@/lib/db/client";
import { authOptions } from "./options";

export type CurrentUser = {
  id: string;
  email: string;
  name: string | null;
  role: "USER" | "OPERATOR";
  suspendedAt: Date | null;
  available: number;
  held: number;
};

/**
 * Who is asking, read fresh from the database on every request: the JWT only says who signed in,
 * not whether they are still an operator or have been suspended since.
 */
export async function currentUser(): Promise<CurrentUser | null> {
  const session = await getServerSession(authOptions);
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  return db().user.findUnique({
    where: { id },
    select: { id: true, email: true, name: true, role: true, suspendedAt: true, available: true, held: true },
  });
}

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

export async function requireUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) throw new AccessDenied("signed-out");
  return user;
}

/**
 * Throws unless `user` may act as an operator. Functions that change things call it on the
 * operator they are given too, so a caller that forgot its guard still cannot act for anyone else.
 */
export function assertOperator(user: CurrentUser | null | undefined): asserts user is CurrentUser {
  const refusal = operatorRefusal(user);
  if (refusal) throw refusal;
}

export async function requireOperator(): Promise<CurrentUser> {
  const user = await currentUser();
  assertOperator(user);
  return user;
}
