-- Written by hand (see the earlier migrations for why).
-- Settlement used to fill in the seconds of unauthorized calls' alerts only: a tampered call's
-- alert kept 0. Give the alerts of calls already settled the seconds Vapi reported for them.
UPDATE "Alert" a SET "seconds" = c."usedSeconds"
  FROM "Call" c
 WHERE a."vapiCallId" = c."vapiCallId" AND a."kind" IN ('UNAUTHORIZED_CALL', 'TAMPERED_CALL')
   AND a."seconds" = 0 AND c."usedSeconds" IS NOT NULL AND c."settledAt" IS NOT NULL;
