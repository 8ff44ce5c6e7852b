-- Written by hand: `prisma migrate dev` (6.19, JS schema engine) panics with "RuntimeError:
-- unreachable" on this database once the init migration's partial indexes exist.
-- A user asks for credits, an operator approves (a GRANT ledger entry) or declines (a reason), once.
CREATE TYPE "CreditRequestStatus" AS ENUM ('OPEN', 'APPROVED', 'DECLINED');

CREATE TABLE "CreditRequest" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "note" TEXT NOT NULL,
    "status" "CreditRequestStatus" NOT NULL DEFAULT 'OPEN',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionReason" TEXT,
    "ledgerEntryId" BIGINT,

    CONSTRAINT "CreditRequest_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "CreditRequest_ledgerEntryId_key" ON "CreditRequest"("ledgerEntryId");
CREATE INDEX "CreditRequest_status_createdAt_idx" ON "CreditRequest"("status", "createdAt");
CREATE INDEX "CreditRequest_userId_createdAt_idx" ON "CreditRequest"("userId", "createdAt");

ALTER TABLE "CreditRequest" ADD CONSTRAINT "CreditRequest_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "CreditRequest" ADD CONSTRAINT "CreditRequest_ledgerEntryId_fkey" FOREIGN KEY ("ledgerEntryId") REFERENCES "LedgerEntry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One open request per user: a second waits until the first is decided.
CREATE UNIQUE INDEX "CreditRequest_one_open_per_user" ON "CreditRequest"("userId") WHERE "status" = 'OPEN';

-- An open request is undecided, a decided one says who decided, when and why, and an approval names its grant.
ALTER TABLE "CreditRequest" ADD CONSTRAINT "CreditRequest_decision_check" CHECK (
  "credits" > 0
  AND ("status" = 'OPEN') = ("decidedAt" IS NULL)
  AND ("status" = 'OPEN' OR ("decidedById" IS NOT NULL AND "decisionReason" IS NOT NULL))
  AND ("status" = 'APPROVED') = ("ledgerEntryId" IS NOT NULL)
);
