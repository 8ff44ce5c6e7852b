-- The expiry sweep's index, and only its: unbound held reservations, by expiry. As (status,
-- expiresAt) it was also a way to the one reservation a bind or a close names by id, and with no
-- statistics yet (a new database, or a burst of new reservations) the planner took it and read
-- every held reservation for each call: at a thousand calls, most of PostgreSQL's time.
DROP INDEX "Reservation_status_expiresAt_idx";
CREATE INDEX "Reservation_unbound_expiry_idx" ON "Reservation"("expiresAt") WHERE "status" = 'HELD' AND "vapiCallId" IS NULL;

-- The same for messages still to be acted on: the retry's index was also a way to the one message
-- an action marks processed (by its dedupe key), through every message not processed yet. Keyed
-- on nextAttemptAt, which only those messages have, the mark's condition no longer implies it.
DROP INDEX "WebhookEvent_unprocessed_idx";
CREATE INDEX "WebhookEvent_retry_due_idx" ON "WebhookEvent"("nextAttemptAt") WHERE "nextAttemptAt" IS NOT NULL;
