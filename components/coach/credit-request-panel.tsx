import { formatDateTime } from "@/components/dashboard/format";
import type { ActionResult } from "@/lib/auth/validated-action";
import type { CreditRequestView } from "@/lib/credits/requests";
import { CreditRequestForm } from "./credit-request-form";

type Props = {
  latest: CreditRequestView | null;
  ask: (raw: unknown) => Promise<ActionResult<unknown>>;
  creditsPerMinute: number;
};

/** How to get more credits: the open request and its state, or the last decision and the form to ask again. */
export function CreditRequestPanel({ latest, ask, creditsPerMinute }: Props) {
  return (
    <section aria-labelledby="credit-request-heading" data-testid="credit-request">
      <h2 id="credit-request-heading">Need more credits?</h2>
      {latest?.status === "OPEN" ? (
        <p role="status" data-testid="credit-request-status">
          You asked for {latest.credits} credits on {formatDateTime(latest.createdAt)}. An operator will look at it
          soon; your balance goes up as soon as they approve.
        </p>
      ) : (
        <>
          {latest?.status === "APPROVED" && (
            <p className="success" data-testid="credit-request-status">
              Your request was approved: {latest.grantedCredits} credits were added ({latest.decisionReason}).
            </p>
          )}
          {latest?.status === "DECLINED" && (
            <p className="error" data-testid="credit-request-status">
              Your request for {latest.credits} credits was declined: {latest.decisionReason}
            </p>
          )}
          <p className="muted">Ask an operator: say how many credits you need and what for.</p>
          <CreditRequestForm ask={ask} suggested={creditsPerMinute * 10} creditsPerMinute={creditsPerMinute} />
        </>
      )}
    </section>
  );
}
