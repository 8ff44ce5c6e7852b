-- Indexes for the operator dashboard's history and detail pages (figures in the issue note).
CREATE INDEX "Call_startedAt_idx" ON "Call"("startedAt");
CREATE INDEX "AuditLog_targetUserId_createdAt_idx" ON "AuditLog"("targetUserId", "createdAt");
CREATE INDEX "AuditLog_targetCallId_idx" ON "AuditLog"("targetCallId");
CREATE INDEX "Alert_vapiCallId_idx" ON "Alert"("vapiCallId");
