-- Written by hand (see the earlier migrations for why).
-- Alert.kind, Call.flag, WebhookEvent.outcome and AuditLog.action become enums, so the code that
-- writes them and the code that reads them cannot disagree (a "tamper" alert nobody wrote).
-- Existing rows are converted: 'unauthorized-call' is UNAUTHORIZED_CALL, 'credits.grant' is
-- CREDITS_GRANT, and so on. A value no version of the app wrote fails the cast, and the migration
-- with it, rather than being guessed at.
CREATE TYPE "CallFlag" AS ENUM ('MISSING_TOKEN', 'MALFORMED_TOKEN', 'BAD_SIGNATURE', 'EXPIRED_TOKEN', 'TOKEN_MISMATCH', 'REPLAYED_TOKEN', 'SUSPENDED', 'OPERATOR', 'TAMPER', 'RAISED_MAX_DURATION', 'CUTOFF');
CREATE TYPE "WebhookOutcome" AS ENUM ('ACCEPTED', 'INVALID', 'IGNORED');
CREATE TYPE "AlertKind" AS ENUM ('UNAUTHORIZED_CALL', 'TAMPERED_CALL', 'RAISED_MAX_DURATION', 'SETTLED_FROM_VAPI', 'UNKNOWN_TO_VAPI', 'UNSEEN_CALL');
CREATE TYPE "AuditAction" AS ENUM ('CREDITS_GRANT', 'CREDITS_DEDUCT', 'USER_SUSPEND', 'USER_UNSUSPEND', 'CALL_END', 'CREDIT_REQUEST_APPROVE', 'CREDIT_REQUEST_DECLINE');

ALTER TABLE "Call" ALTER COLUMN "flag" TYPE "CallFlag"
  USING (CASE "flag" WHEN 'bad-token' THEN 'BAD_SIGNATURE' ELSE upper(replace("flag", '-', '_')) END)::"CallFlag";
ALTER TABLE "WebhookEvent" ALTER COLUMN "outcome" TYPE "WebhookOutcome" USING upper("outcome")::"WebhookOutcome";
-- The dashboard once counted alerts of kind 'tamper' that the tamper check never wrote: any such row means a tampered call.
ALTER TABLE "Alert" ALTER COLUMN "kind" TYPE "AlertKind"
  USING (CASE "kind" WHEN 'tamper' THEN 'TAMPERED_CALL' ELSE upper(replace("kind", '-', '_')) END)::"AlertKind";
ALTER TABLE "AuditLog" ALTER COLUMN "action" TYPE "AuditAction" USING upper(replace(replace("action", '.', '_'), '-', '_'))::"AuditAction";

-- A negative adjustment was only ever an operator's deduction: say so.
ALTER TYPE "LedgerKind" RENAME VALUE 'ADJUST' TO 'DEDUCT';
