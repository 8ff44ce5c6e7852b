-- The overview's leakage reads unauthorized calls (by status) and tampered-with ones (by flag):
-- with this index neither is a scan of every call.
CREATE INDEX "Call_flag_idx" ON "Call"("flag");
