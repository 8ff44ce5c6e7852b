-- Written by hand: `prisma migrate dev` (6.19, JS schema engine) panics with "RuntimeError:
-- unreachable" on this database once the init migration's partial indexes exist.
-- At-least-once processing: a verified message keeps what it asks us to do ("action") until it is
-- done ("processedAt"). One whose action failed is retried with backoff ("nextAttemptAt").
ALTER TABLE "WebhookEvent" ADD COLUMN "action" JSONB;
-- Processed on arrival unless written as pending (lib/calls/event-log.ts), so rows written elsewhere need no action.
ALTER TABLE "WebhookEvent" ADD COLUMN "processedAt" TIMESTAMP(3);
ALTER TABLE "WebhookEvent" ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "WebhookEvent" ADD COLUMN "nextAttemptAt" TIMESTAMP(3);
ALTER TABLE "WebhookEvent" ADD COLUMN "lastError" TEXT;
-- Everything recorded before this migration was acted on when it arrived.
UPDATE "WebhookEvent" SET "processedAt" = "receivedAt";
ALTER TABLE "WebhookEvent" ALTER COLUMN "processedAt" SET DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "WebhookEvent" ADD CONSTRAINT "WebhookEvent_action_pending_check" CHECK ("processedAt" IS NOT NULL OR "action" IS NOT NULL);
CREATE INDEX "WebhookEvent_unprocessed_idx" ON "WebhookEvent"("nextAttemptAt") WHERE "processedAt" IS NULL;

-- A tamper check that could not read the call from Vapi is tried again after a growing pause.
ALTER TABLE "Call" ADD COLUMN "overridesCheckFailures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Call" ADD COLUMN "overridesCheckDueAt" TIMESTAMP(3);
