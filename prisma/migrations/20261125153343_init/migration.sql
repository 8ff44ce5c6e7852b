-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'OPERATOR');

-- CreateEnum
CREATE TYPE "ReservationStatus" AS ENUM ('HELD', 'CAPTURED', 'RELEASED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "LedgerKind" AS ENUM ('GRANT', 'HOLD', 'CAPTURE', 'RELEASE', 'EXPIRE', 'ADJUST');

-- CreateEnum
CREATE TYPE "CallStatus" AS ENUM ('ACTIVE', 'ENDED', 'SETTLED', 'UNAUTHORIZED');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "suspendedAt" TIMESTAMP(3),
    "suspendedReason" TEXT,
    "available" INTEGER NOT NULL DEFAULT 0,
    "held" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reservation" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "seconds" INTEGER NOT NULL,
    "status" "ReservationStatus" NOT NULL DEFAULT 'HELD',
    "capturedCredits" INTEGER NOT NULL DEFAULT 0,
    "releasedCredits" INTEGER NOT NULL DEFAULT 0,
    "vapiCallId" TEXT,
    "boundAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "Reservation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerEntry" (
    "id" BIGSERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" "LedgerKind" NOT NULL,
    "availableDelta" INTEGER NOT NULL,
    "heldDelta" INTEGER NOT NULL,
    "reservationId" TEXT,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateLimitWindow" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RateLimitWindow_pkey" PRIMARY KEY ("key","windowStart")
);

-- CreateTable
CREATE TABLE "Call" (
    "id" TEXT NOT NULL,
    "vapiCallId" TEXT NOT NULL,
    "userId" TEXT,
    "reservationId" TEXT,
    "status" "CallStatus" NOT NULL,
    "flag" TEXT,
    "controlUrl" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "warnAt" TIMESTAMP(3),
    "cutoffAt" TIMESTAMP(3),
    "warnedAt" TIMESTAMP(3),
    "goodbyeAt" TIMESTAMP(3),
    "goodbyeSaidAt" TIMESTAMP(3),
    "endCallDueAt" TIMESTAMP(3),
    "endCallSentAt" TIMESTAMP(3),
    "vapiStatus" TEXT,
    "endedAt" TIMESTAMP(3),
    "endedReason" TEXT,
    "usedSeconds" INTEGER,
    "creditsCharged" INTEGER,
    "vapiCost" DOUBLE PRECISION,
    "summary" TEXT,
    "transcript" TEXT,
    "recordingUrl" TEXT,
    "settledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Call_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" BIGSERIAL NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "vapiCallId" TEXT,
    "status" TEXT,
    "outcome" TEXT NOT NULL,
    "detail" TEXT,
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "userId" TEXT,
    "vapiCallId" TEXT,
    "seconds" INTEGER NOT NULL DEFAULT 0,
    "credits" INTEGER NOT NULL DEFAULT 0,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetUserId" TEXT,
    "targetCallId" TEXT,
    "reason" TEXT,
    "details" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "User_createdAt_idx" ON "User"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Reservation_vapiCallId_key" ON "Reservation"("vapiCallId");

-- CreateIndex
CREATE UNIQUE INDEX "Reservation_idempotencyKey_key" ON "Reservation"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Reservation_userId_createdAt_idx" ON "Reservation"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Reservation_status_expiresAt_idx" ON "Reservation"("status", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_idempotencyKey_key" ON "LedgerEntry"("idempotencyKey");

-- CreateIndex
CREATE INDEX "LedgerEntry_userId_createdAt_idx" ON "LedgerEntry"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "LedgerEntry_createdAt_idx" ON "LedgerEntry"("createdAt");

-- CreateIndex
CREATE INDEX "LedgerEntry_reservationId_idx" ON "LedgerEntry"("reservationId");

-- CreateIndex
CREATE UNIQUE INDEX "Call_vapiCallId_key" ON "Call"("vapiCallId");

-- CreateIndex
CREATE UNIQUE INDEX "Call_reservationId_key" ON "Call"("reservationId");

-- CreateIndex
CREATE INDEX "Call_status_warnAt_idx" ON "Call"("status", "warnAt");

-- CreateIndex
CREATE INDEX "Call_status_goodbyeAt_idx" ON "Call"("status", "goodbyeAt");

-- CreateIndex
CREATE INDEX "Call_endCallDueAt_idx" ON "Call"("endCallDueAt");

-- CreateIndex
CREATE INDEX "Call_userId_createdAt_idx" ON "Call"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Call_createdAt_idx" ON "Call"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEvent_dedupeKey_key" ON "WebhookEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "WebhookEvent_vapiCallId_receivedAt_idx" ON "WebhookEvent"("vapiCallId", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_receivedAt_idx" ON "WebhookEvent"("receivedAt");

-- CreateIndex
CREATE INDEX "Alert_createdAt_idx" ON "Alert"("createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");

-- AddForeignKey
ALTER TABLE "Reservation" ADD CONSTRAINT "Reservation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_reservationId_fkey" FOREIGN KEY ("reservationId") REFERENCES "Reservation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Call" ADD CONSTRAINT "Call_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Call" ADD CONSTRAINT "Call_reservationId_fkey" FOREIGN KEY ("reservationId") REFERENCES "Reservation"("id") ON DELETE SET NULL ON UPDATE CASCADE;
-- Hand-written: what Prisma's schema language cannot say.
-- A balance is never negative.
ALTER TABLE "User" ADD CONSTRAINT "User_credits_nonnegative" CHECK ("available" >= 0 AND "held" >= 0);
ALTER TABLE "Reservation" ADD CONSTRAINT "Reservation_amounts_valid"
  CHECK ("credits" > 0 AND "seconds" > 0 AND "capturedCredits" >= 0 AND "releasedCredits" >= 0
         AND "capturedCredits" + "releasedCredits" <= "credits");
-- A closed reservation has been fully accounted for.
ALTER TABLE "Reservation" ADD CONSTRAINT "Reservation_closed_accounts_all"
  CHECK ("status" = 'HELD' OR "capturedCredits" + "releasedCredits" = "credits");
-- One live reservation per user: a second tab cannot hold credits for a second call.
CREATE UNIQUE INDEX "Reservation_one_held_per_user" ON "Reservation"("userId") WHERE "status" = 'HELD';
-- A reservation is captured, released or expired at most once.
CREATE UNIQUE INDEX "LedgerEntry_one_close_per_reservation" ON "LedgerEntry"("reservationId", "kind")
  WHERE "kind" IN ('CAPTURE', 'RELEASE', 'EXPIRE');
-- A ledger entry moves credits.
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_moves_credits" CHECK ("availableDelta" <> 0 OR "heldDelta" <> 0);
