import "server-only";
import { z } from "zod";
import type { AcceptedAuth } from "@/lib/vapi/verify";

const Env = z.object({
  APP_URL: z.url().default("http://localhost:3000"),
  VAPI_API_URL: z.url().default("http://localhost:4010"),
  VAPI_ORG_ID: z.string().default("org-local"),
  VAPI_PUBLIC_KEY: z.string().optional(),
  VAPI_PRIVATE_KEY: z.string().optional(),
  VAPI_ASSISTANT_ID: z.string().min(1, "VAPI_ASSISTANT_ID is required"),
  /** "1": hand the browser the static public key instead of a per-reservation JWT. */
  VAPI_STATIC_PUBLIC_KEY: z.enum(["0", "1"]).default("0"),
  /** Which server-message auth modes the webhook accepts: any of hmac, secret, bearer. */
  VAPI_WEBHOOK_ACCEPT: z.string().optional(),
  VAPI_WEBHOOK_AUTH: z.enum(["hmac", "secret", "bearer", "none"]).default("hmac"),
  VAPI_WEBHOOK_SECRET: z.string().min(1, "VAPI_WEBHOOK_SECRET is required"),
  /** Bearer for control URLs when the assistant's monitorPlan.controlAuthenticationEnabled is on. */
  VAPI_CONTROL_BEARER: z.string().optional(),
  START_TOKEN_SECRET: z.string().min(16, "START_TOKEN_SECRET must be at least 16 characters"),
});

export type AppConfig = {
  appUrl: string;
  vapi: {
    apiUrl: string;
    orgId: string;
    publicKey?: string;
    privateKey?: string;
    assistantId: string;
    staticPublicKey: boolean;
    accept: AcceptedAuth;
    controlBearer?: string;
  };
  startTokenSecret: string;
};

function accepted(modes: string, secret: string): AcceptedAuth {
  const list = modes
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  return {
    hmac: list.includes("hmac") ? secret : undefined,
    secret: list.includes("secret") ? secret : undefined,
    bearer: list.includes("bearer") ? secret : undefined,
  };
}

let cached: AppConfig | undefined;

/** The server's configuration, read once from the environment; a missing secret fails loudly. */
export function appConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  if (cached && env === process.env) return cached;
  const e = Env.parse(env);
  const config: AppConfig = {
    appUrl: e.APP_URL,
    vapi: {
      apiUrl: e.VAPI_API_URL.replace(/\/$/, ""),
      orgId: e.VAPI_ORG_ID,
      publicKey: e.VAPI_PUBLIC_KEY,
      privateKey: e.VAPI_PRIVATE_KEY,
      assistantId: e.VAPI_ASSISTANT_ID,
      staticPublicKey: e.VAPI_STATIC_PUBLIC_KEY === "1" || !e.VAPI_PRIVATE_KEY,
      accept: accepted(
        e.VAPI_WEBHOOK_ACCEPT ?? (e.VAPI_WEBHOOK_AUTH === "none" ? "" : e.VAPI_WEBHOOK_AUTH),
        e.VAPI_WEBHOOK_SECRET,
      ),
      controlBearer: e.VAPI_CONTROL_BEARER,
    },
    startTokenSecret: e.START_TOKEN_SECRET,
  };
  if (env === process.env) cached = config;
  return config;
}
