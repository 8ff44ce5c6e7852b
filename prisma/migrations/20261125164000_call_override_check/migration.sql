-- Written by hand: `prisma migrate dev` (6.19, JS schema engine) panics with "RuntimeError:
-- unreachable" on this database once the init migration's partial indexes exist.
ALTER TABLE "Call" ADD COLUMN "overridesCheckedAt" TIMESTAMP(3);
CREATE INDEX "Call_status_overridesCheckedAt_idx" ON "Call"("status", "overridesCheckedAt");
