import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";
import { pricingFromEnv } from "@/lib/credits/pricing";
import { startBlocker } from "@/lib/calls/start-call";
import { CoachCall } from "@/components/coach/coach-call";

export const dynamic = "force-dynamic";

export default async function CoachPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/coach");
  const pricing = pricingFromEnv();
  const reason = startBlocker(user, pricing) ?? undefined;
  return (
    <section className="card">
      <h1>Your coach</h1>
      <p>
        Balance: <strong data-testid="balance">{user.available}</strong> credits
        {user.held > 0 && <span className="muted"> ({user.held} held for a call)</span>}
      </p>
      <p className="muted">{pricing.creditsPerMinute} credits per minute, billed by the second; calls last up to {pricing.maxCallMinutes} minutes.</p>
      <CoachCall canStart={!reason} reasonDisabled={reason} />
    </section>
  );
}
