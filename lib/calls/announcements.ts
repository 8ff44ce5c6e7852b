import type { CoachCallState } from "./call-state";

/** Why the server ended a call, as the caller reads it in the summary and hears it announced. */
export const ENDED_BY: Record<NonNullable<CoachCallState["endedBy"]>, string> = {
  credits: "Your call ended because your credits ran out.",
  operator: "An operator ended your call.",
  tamper: "Your call was ended because it was changed in a way Coach Call does not allow.",
  suspended: "Your call was ended because your account has been suspended.",
  unauthorized: "This call was not authorized, so it was ended.",
};

/** The moments of a call a screen reader is told about; the page's own view has more in it. */
export type CallMoment =
  | { step: "idle" | "failed" }
  | { step: "starting" }
  | { step: "live"; warning: string | null }
  | { step: "ending"; reason: "you" | "server" | "connection" }
  | { step: "summary"; state: Pick<CoachCallState, "endedBy" | "creditsCharged" | "balance">; connectionLost: boolean };

/**
 * The sentence a polite live region carries for each moment of the call: it changes only when the
 * call's state does (not with the countdown). A failure is announced by its own alert.
 */
export function callAnnouncement(moment: CallMoment): string {
  switch (moment.step) {
    case "idle":
    case "failed":
      return "";
    case "starting":
      return "Connecting to your coach…";
    case "live":
      return moment.warning ?? "Connected to your coach.";
    case "ending":
      return `${moment.reason === "connection" ? "The connection was lost." : "Call ended."} Working out your bill…`;
    case "summary": {
      const { endedBy, creditsCharged, balance } = moment.state;
      const ended = endedBy
        ? ENDED_BY[endedBy]
        : moment.connectionLost
          ? "The connection was lost, so the call ended."
          : "Call ended.";
      return `${ended} You were charged ${creditsCharged ?? 0} credits; your balance is ${balance} credits.`;
    }
  }
}
