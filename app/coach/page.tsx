import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { billingRule, pricingFromEnv } from "@/lib/credits/pricing";
import { latestCreditRequest } from "@/lib/credits/requests";
import { startBlocker } from "@/lib/calls/start-call";
import { CoachCall } from "@/components/coach/coach-call";
import { CreditRequestPanel } from "@/components/coach/credit-request-panel";
import { requestCreditsAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function CoachPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/coach");
  const pricing = pricingFromEnv();
  const reason = startBlocker(user, pricing) ?? undefined;
  const latestRequest = user.suspendedAt ? null : await latestCreditRequest(db(), user.id);
  return (
    <section className="card">
      <h1>Your coach</h1>
      <CoachCall
        balance={{ available: user.available, held: user.held }}
        billingRule={
          <p className="muted" data-testid="billing-rule">
            {billingRule(pricing)}
          </p>
        }
        canStart={!reason}
        reasonDisabled={reason}
      >
        {!user.suspendedAt && (
          <CreditRequestPanel
            latest={latestRequest}
            ask={requestCreditsAction}
            creditsPerMinute={pricing.creditsPerMinute}
          />
        )}
      </CoachCall>
    </section>
  );
}
