/** Typed ledger refusals: callers turn them into plain words; everything else is a bug. */
export class LedgerError extends Error {
  constructor(
    readonly code: "insufficient-credits" | "already-in-call" | "reservation-closed" | "not-found" | "invalid-amount",
    message: string,
  ) {
    super(message);
    this.name = "LedgerError";
  }
}

export const insufficientCredits = (need: number) =>
  new LedgerError("insufficient-credits", `Not enough credits: at least ${need} needed.`);
export const alreadyInCall = () =>
  new LedgerError("already-in-call", "You already have a call in progress (maybe in another tab).");
export const reservationClosed = (status: string) =>
  new LedgerError("reservation-closed", `This reservation is already ${status.toLowerCase()}.`);
