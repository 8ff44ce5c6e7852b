-- Written by hand (see the earlier migrations for why).
-- Periodic work that must run once per interval across all processes (the reconciler, retention)
-- claims its run here first: the one process whose claim lands runs it.
CREATE TABLE "RunLease" (
    "name" TEXT NOT NULL,
    "leaseUntil" TIMESTAMP(3) NOT NULL,
    "holder" TEXT NOT NULL,
    CONSTRAINT "RunLease_pkey" PRIMARY KEY ("name")
);
