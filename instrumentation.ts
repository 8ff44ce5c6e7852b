export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.COACH_SCHEDULER === "off") return;
  const { startScheduler } = await import("@/lib/calls/scheduler");
  startScheduler();
}
