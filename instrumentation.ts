import { trustProxyHopsProblem } from "@/lib/http/client-ip";
import { buildTargetMismatch } from "@/lib/setup/build-target";

export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // COACH_BUILT_FOR_VAPI is written into the build by next.config.ts; VAPI_API_URL is read now.
  const refusal =
    buildTargetMismatch(process.env.COACH_BUILT_FOR_VAPI, process.env.VAPI_API_URL) ?? trustProxyHopsProblem();
  if (refusal) {
    // Imported here, on Node only: the Edge build of this file must not name process.exit.
    const { exitOnSetupError, SetupError } = await import("@/lib/setup/errors");
    exitOnSetupError(new SetupError(refusal));
  }
  // COACH_WORKERS=off: a web instance only; `npm run worker` (or another instance) runs the background work.
  if (process.env.COACH_WORKERS === "off") return;
  const { startScheduler, stopOnSignals } = await import("@/lib/calls/scheduler");
  startScheduler();
  stopOnSignals();
}
