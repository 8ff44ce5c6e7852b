/** Seconds added to Vapi's maxDurationSeconds beyond what is paid for: our cutoff acts first, Vapi's is the backstop. */
export const MAX_DURATION_GRACE_SECONDS = 10;
/** A reservation no call has bound to expires this long after it is made (`Reservation.expiresAt`, the start token's expiry). */
export const RESERVATION_EXPIRES_AFTER_SECONDS = 120;
/** Warn this long before the cutoff (COACH_WARN_BEFORE_CUTOFF_SECONDS, default 60), when the call is at least twice as long. */
export const warnBeforeCutoffSeconds = () => Number(process.env.COACH_WARN_BEFORE_CUTOFF_SECONDS ?? 60);
/** Start the goodbye this long before the cutoff, so it is spoken by then; end-call follows at the cutoff. */
export const GOODBYE_BEFORE_CUTOFF_SECONDS = 4;
/** After the notice that a call is ending (unauthorized, operator, tamper, suspension), end-call follows this long after. */
export const END_AFTER_NOTICE_MS = 1500;
/** An end-call claim lapses after at least this long if its call has not ended, and is taken and sent again (claimDueEndCalls): past a control request's 3 s timeout, short since a lost cutoff runs on meanwhile. */
export const END_CALL_LEASE_SECONDS = 10;

export const addSeconds = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);
