-- The expiry sweep's index, and only its: unbound held reservations, by expiry. As (status,
-- expiresAt) it was also a way to the one reservation a bind or a close names by id, and with no
-- statistics yet (a new database, or a burst of new reservations) the planner took it and read
-- every held reservation for each call.
DROP INDEX "Reservation_status_expiresAt_idx";
CREATE INDEX "Reservation_unbound_expiry_idx" ON "Reservation"("expiresAt") WHERE "status" = 'HELD' AND "vapiCallId" IS NULL;

-- The same trap for messages still to be acted on: the retry's index (by nextAttemptAt, over the
-- messages not processed yet) was also a way to the one message an action marks processed by its
-- dedupe key, through all of them. This one looks such a message up by its key among them.
CREATE INDEX "WebhookEvent_unprocessed_key_idx" ON "WebhookEvent"("dedupeKey") WHERE "processedAt" IS NULL;
