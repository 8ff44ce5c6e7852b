import type { AppConfig } from "@/lib/config";
import { createVapiRestClient, type VapiRestClient } from "@/lib/vapi/rest";

/** Vapi's REST API with our private key; null when none is configured (then nothing can be reconciled). */
export function vapiRestFor(config: AppConfig): VapiRestClient | null {
  const { apiUrl, privateKey } = config.vapi;
  return privateKey ? createVapiRestClient({ apiBaseUrl: apiUrl, privateKey, timeoutMs: 5_000 }) : null;
}
