// `npm run worker`: the background work (enforcer, webhook retries, tamper checks, reconciler,
// retention) in a process of its own, for deployments whose web instances run with
// COACH_WORKERS=off. Several workers at once are safe: each piece of work is claimed in the
// database before it is done. Needs the app's environment (DATABASE_URL, VAPI_*, START_TOKEN_SECRET).
import { startScheduler } from "@/lib/calls/scheduler";
import { log } from "@/lib/observability/log";

startScheduler();
log.info({ pid: process.pid }, "Background worker started");
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(0));
