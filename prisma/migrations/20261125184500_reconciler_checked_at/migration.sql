-- Written by hand: `prisma migrate dev` (6.19, JS schema engine) panics with "RuntimeError:
-- unreachable" on this database once the init migration's partial indexes exist.
-- When the reconciler last read Vapi's call list (our clock): the dashboard warns when it falls behind.
ALTER TABLE "ReconcilerCursor" ADD COLUMN "checkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
