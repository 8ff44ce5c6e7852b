// `npm run worker`: the background work (enforcer, webhook retries, tamper checks, and the job
// queue's reconciler and retention) in a process of its own, for deployments whose web instances
// run with COACH_WORKERS=off. Several workers at once are safe: due rows are claimed with
// conditional updates, and graphile-worker hands each queued job to one worker. Needs the app's
// environment (DATABASE_URL, VAPI_*, START_TOKEN_SECRET).
import { startScheduler, stopOnSignals } from "@/lib/calls/scheduler";
import { log } from "@/lib/observability/log";

startScheduler();
stopOnSignals(() => process.exit(0));
log.info({ pid: process.pid }, "Background worker started");
