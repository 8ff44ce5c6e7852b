// `npm run vapi:setup [-- --dry-run]`: points the coach assistant at this app's webhook (vapi-protocol.md §1.2, §5.1, §6.2).
import { pathToFileURL } from "node:url";
import { type Vapi, VapiClient } from "@vapi-ai/server-sdk";
import { z } from "zod";
import { pricingFromEnv } from "@/lib/credits/pricing";
import {
  type AssistantPlan,
  type AssistantSetupInputs,
  dashboardChecklist,
  describeChange,
  findWebhookCredential,
  planAssistantUpdate,
  webhookCredentialName,
  webhookCredentialRequest,
} from "@/lib/vapi/assistant-setup";
import { toRestError, VapiRestError } from "@/lib/vapi/rest";

type Env = Record<string, string | undefined>;

const SetupEnv = z.object({
  VAPI_API_URL: z.url().default("https://api.vapi.ai"),
  VAPI_PRIVATE_KEY: z
    .string({ error: "VAPI_PRIVATE_KEY is required: the private API key from Vapi's dashboard (not the public key)" })
    .min(1),
  VAPI_ASSISTANT_ID: z.string({ error: "VAPI_ASSISTANT_ID is required: the id of the coach assistant" }).min(1),
  APP_URL: z.url({ error: "APP_URL is required: the app's public base URL, which Vapi posts webhooks to" }),
  VAPI_WEBHOOK_SECRET: z
    .string({ error: "VAPI_WEBHOOK_SECRET is required: the HMAC secret the webhook verifies" })
    .min(1),
});

export type VapiSetupResult = {
  credential: { id: string; action: "reused" | "created" | "would-create" };
  plan: AssistantPlan;
};

/** Reads the assistant, plans, and (unless `dryRun`) applies; everything it prints goes through `log`. */
export async function runVapiSetup(env: Env, { dryRun = false, log = console.log } = {}): Promise<VapiSetupResult> {
  const config = readSetupEnv(env);
  const inputs: AssistantSetupInputs = {
    appUrl: config.APP_URL,
    assistantId: config.VAPI_ASSISTANT_ID,
    webhookSecret: config.VAPI_WEBHOOK_SECRET,
    maxCallMinutes: pricingFromEnv(env).maxCallMinutes,
  };
  const client = new VapiClient({
    token: config.VAPI_PRIVATE_KEY,
    baseUrl: config.VAPI_API_URL,
    timeoutInSeconds: 15,
    maxRetries: 0,
  });
  log(
    `Vapi assistant ${inputs.assistantId} at ${config.VAPI_API_URL}${dryRun ? " (dry run: nothing will change)" : ""}`,
  );

  const assistant = await call(`GET /assistant/${inputs.assistantId}`, () =>
    client.assistants.get({ id: inputs.assistantId }),
  );
  const credentials = await restJson("GET /credential", () => client.fetch("/credential"));
  const existingId = findWebhookCredential(Array.isArray(credentials) ? credentials : [], inputs.webhookSecret);
  let credential: VapiSetupResult["credential"];
  if (existingId) {
    credential = { id: existingId, action: "reused" };
    log(`Webhook credential: reusing ${existingId} (${webhookCredentialName(inputs.webhookSecret)})`);
  } else if (dryRun) {
    credential = { id: "<new credential>", action: "would-create" };
    log(`Webhook credential: would create HMAC credential "${webhookCredentialName(inputs.webhookSecret)}"`);
  } else {
    const created = await restJson("POST /credential", () =>
      client.fetch("/credential", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(webhookCredentialRequest(inputs.webhookSecret)),
      }),
    );
    const id = (created as { id?: unknown }).id;
    if (typeof id !== "string") throw new VapiRestError("invalid-response", "POST /credential: no id in the answer");
    credential = { id, action: "created" };
    log(`Webhook credential: created ${id} (${webhookCredentialName(inputs.webhookSecret)})`);
  }

  const plan = planAssistantUpdate(assistant as unknown as Record<string, unknown>, inputs, credential.id);
  for (const note of plan.notes) log(note);
  if (plan.changes.length === 0) {
    log("The assistant already matches: nothing to change.");
  } else {
    log(dryRun ? "Would change:" : "Changed:");
    if (!dryRun) {
      const update = { id: inputs.assistantId, ...plan.update } as Vapi.UpdateAssistantDto;
      await call(`PATCH /assistant/${inputs.assistantId}`, () => client.assistants.update(update));
    }
    for (const change of plan.changes) log(`  ${describeChange(change)}`);
  }
  log("");
  log(dashboardChecklist(inputs.appUrl, inputs.assistantId));
  return { credential, plan };
}

function readSetupEnv(env: Env) {
  const parsed = SetupEnv.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join("\n"));
  return parsed.data;
}

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toRestError(what, error);
  }
}

/** For endpoints SDK 2.0.1 has no client for (credentials): its passthrough fetch, with auth and base URL. */
async function restJson(what: string, send: () => Promise<Response>): Promise<unknown> {
  const response = await call(what, send);
  if (!response.ok) {
    const kind = response.status === 401 ? "unauthorized" : response.status === 404 ? "not-found" : "http";
    throw new VapiRestError(kind, `${what}: HTTP ${response.status} ${await response.text()}`, {
      status: response.status,
    });
  }
  return response.json();
}

/** Turns the likely failures into a sentence that says what to fix. */
export function explainSetupError(error: unknown, env: Env): string {
  if (!(error instanceof VapiRestError)) return error instanceof Error ? error.message : String(error);
  if (error.kind === "unauthorized") {
    return `Vapi rejected VAPI_PRIVATE_KEY (${error.message}). Use the private key from Vapi's dashboard, not the public one.`;
  }
  if (error.kind === "not-found")
    return `Not found (${error.message}). Is VAPI_ASSISTANT_ID=${env.VAPI_ASSISTANT_ID} an assistant of this org?`;
  if (error.kind === "timeout" || error.kind === "network")
    return `Could not reach Vapi at ${env.VAPI_API_URL ?? "https://api.vapi.ai"}: ${error.message}`;
  return error.message;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runVapiSetup(process.env, { dryRun: process.argv.includes("--dry-run") }).catch((error: unknown) => {
    console.error(`vapi:setup failed: ${explainSetupError(error, process.env)}`);
    process.exitCode = 1;
  });
}
