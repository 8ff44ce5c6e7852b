-- Written by hand: `prisma migrate dev` (6.19, JS schema engine) panics with "RuntimeError:
-- unreachable" on this database once the init migration's partial indexes exist.
-- When Vapi sent the conversation-update whose transcript the call holds: an older one arriving late does not replace it.
ALTER TABLE "Call" ADD COLUMN "transcriptAt" TIMESTAMP(3);
