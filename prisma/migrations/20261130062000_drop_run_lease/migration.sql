-- Written by hand (see the earlier migrations for why).
-- The reconciler and retention run as graphile-worker jobs (its own graphile_worker schema, installed
-- by each worker and by the migrate step), which run once across all workers: the hand-written lease goes.
DROP TABLE "RunLease";
