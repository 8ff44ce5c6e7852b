import type { AppConfig } from "@/lib/config";
import { metrics } from "@/lib/observability/metrics";
import { createVapiRestClient, VapiRestError, type VapiRestClient } from "@/lib/vapi/rest";

/** Vapi's REST API with our private key; null when none is configured (then nothing can be reconciled). */
export function vapiRestFor(config: AppConfig): VapiRestClient | null {
  const { apiUrl, privateKey } = config.vapi;
  return privateKey ? countingErrors(createVapiRestClient({ apiBaseUrl: apiUrl, privateKey, timeoutMs: 5_000 })) : null;
}

function countingErrors(rest: VapiRestClient): VapiRestClient {
  const counted = <T>(request: Promise<T>) =>
    request.catch((error: unknown) => {
      metrics.vapiRestErrors.inc({
        status: error instanceof VapiRestError && error.status ? String(error.status) : "none",
      });
      throw error;
    });
  return { getCall: (id) => counted(rest.getCall(id)), listCalls: (query) => counted(rest.listCalls(query)) };
}
