-- Written by hand: `prisma migrate dev` (6.19, JS schema engine) panics with "RuntimeError:
-- unreachable" on this database once the init migration's partial indexes exist.
CREATE TABLE "ReconcilerCursor" (
    "name" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "ReconcilerCursor_pkey" PRIMARY KEY ("name")
);

-- The reconciler's follow-up of end requests Vapi has not obeyed yet.
CREATE INDEX "Call_endCallSentAt_idx" ON "Call"("endCallSentAt") WHERE "endedAt" IS NULL;
