import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { AccessDenied, operatorRefusal } from "@/lib/auth/roles";
import { currentUser, requireOperator, type CurrentUser } from "@/lib/auth/session";

// One database read per request, however many of the layout and page ask.
const whoIsAsking = cache(currentUser);

/**
 * For dashboard pages and layouts, behind the proxy's check: signed-out visitors go to sign in and
 * come back to `path`; signed-in non-operators and suspended operators get the 403 page.
 */
export async function operatorForPage(path: string): Promise<CurrentUser> {
  const user = await whoIsAsking();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(path)}`);
  if (operatorRefusal(user)) forbidden();
  return user;
}

/** For dashboard API routes: the operator, or the JSON response that refuses the request (401/403). */
export async function operatorForRoute(): Promise<
  { operator: CurrentUser; refusal?: never } | { operator?: never; refusal: Response }
> {
  try {
    return { operator: await requireOperator() };
  } catch (error) {
    if (!(error instanceof AccessDenied)) throw error;
    const status = error.reason === "signed-out" ? 401 : 403;
    return { refusal: Response.json({ error: error.message }, { status, headers: { "Cache-Control": "no-store" } }) };
  }
}
