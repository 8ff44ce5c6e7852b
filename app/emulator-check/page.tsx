import { notFound } from "next/navigation";
import { SdkCheck } from "./sdk-check";

export const dynamic = "force-dynamic";

/** Anything but vapi.ai: this page exists only when the app talks to the local Vapi emulator. */
function targetsEmulator(apiUrl: string | undefined): apiUrl is string {
  if (!apiUrl) return false;
  try {
    const host = new URL(apiUrl).hostname;
    return host !== "vapi.ai" && !host.endsWith(".vapi.ai");
  } catch {
    return false;
  }
}

/** A bare page that runs the real @vapi-ai/web SDK against the emulator (not the product UI). */
export default function EmulatorCheckPage() {
  const apiUrl = process.env.VAPI_API_URL;
  if (!targetsEmulator(apiUrl)) notFound();
  return (
    <SdkCheck
      publicKey={process.env.VAPI_PUBLIC_KEY ?? ""}
      apiUrl={apiUrl}
      assistantId={process.env.VAPI_ASSISTANT_ID ?? ""}
    />
  );
}
