import { isRealVapi } from "./vapi-target";

/** Which Vapi a build's browser bundle talks to: its media transport is chosen when it is built. */
export type VapiTarget = "emulator" | "vapi";

export const vapiTarget = (apiUrl: string | undefined): VapiTarget => (isRealVapi(apiUrl) ? "vapi" : "emulator");

const DESCRIBED: Record<VapiTarget, string> = { emulator: "the local Vapi emulator", vapi: "real Vapi (*.vapi.ai)" };

/**
 * One line saying why this server must not start, or null. `builtFor` is what next.config.ts
 * recorded at build time (absent in a build that predates the record, or outside a build).
 */
export function buildTargetMismatch(builtFor: string | undefined, apiUrl: string | undefined): string | null {
  if (builtFor !== "emulator" && builtFor !== "vapi") return null;
  const runtime = vapiTarget(apiUrl);
  if (runtime === builtFor) return null;
  return (
    `Cannot start: this build was made for ${DESCRIBED[builtFor]}, but VAPI_API_URL is ${apiUrl ?? "unset"}, ` +
    `which means ${DESCRIBED[runtime]}. Rebuild with this VAPI_API_URL (\`npm run build\`), or start with the VAPI_API_URL the build was made for.`
  );
}
