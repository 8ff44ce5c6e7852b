import { getServerSession } from "next-auth";
import { db } from "@/lib/db/client";
import { authOptions } from "./options";
import { AccessDenied, assertOperator } from "./roles";

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

export async function requireUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) throw new AccessDenied("signed-out");
  return user;
}

export async function requireOperator(): Promise<CurrentUser> {
  const user = await currentUser();
  assertOperator(user);
  return user;
}
