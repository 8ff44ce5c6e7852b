import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFromEnv, DEFAULT_SERVER_MESSAGES, resolveConfig } from "../config";

const ENV = {
  VAPI_ORG_ID: "org-1",
  VAPI_PUBLIC_KEY: "pub-1",
  VAPI_PRIVATE_KEY: "priv-1",
  VAPI_ASSISTANT_ID: "asst-1",
  VAPI_SERVER_URL: "http://localhost:3000/api/vapi/webhook",
  VAPI_WEBHOOK_SECRET: "whsec-1",
};

describe("configFromEnv", () => {
  it("builds one assistant signing with HMAC by default, with Vapi's defaults filled in", () => {
    const config = resolveConfig(configFromEnv(ENV));
    expect(config).toMatchObject({
      orgId: "org-1",
      publicKey: "pub-1",
      privateKey: "priv-1",
      postProcessingDelayMs: 1500,
    });
    expect(config.assistants).toHaveLength(1);
    expect(config.assistants[0]).toMatchObject({
      id: "asst-1",
      server: {
        url: ENV.VAPI_SERVER_URL,
        timeoutSeconds: 20,
        auth: { type: "hmac", secret: "whsec-1", timestampUnit: "ms" },
      },
      serverMessages: DEFAULT_SERVER_MESSAGES,
      maxDurationSeconds: 600,
      monitorPlan: { controlEnabled: true, controlAuthenticationEnabled: false },
    });
  });

  it("reads the auth mode, allowed origins, post-processing delay and concurrency limit", () => {
    const config = resolveConfig(
      configFromEnv({
        ...ENV,
        VAPI_WEBHOOK_AUTH: "secret",
        VAPI_EMULATOR_ALLOWED_ORIGINS: "http://localhost:3100, https://app.example.com",
        VAPI_EMULATOR_POST_PROCESSING_MS: "50",
        VAPI_EMULATOR_CONCURRENCY_LIMIT: "500",
      }),
    );
    expect(config.assistants[0].server?.auth).toEqual({ type: "secret", secret: "whsec-1" });
    expect(config.publicKeyRestrictions.allowedOrigins).toEqual(["http://localhost:3100", "https://app.example.com"]);
    expect(config.postProcessingDelayMs).toBe(50);
    expect(config.concurrencyLimit).toBe(500);
    expect(resolveConfig(configFromEnv(ENV)).concurrencyLimit).toBe(10);
  });

  it("reads a comma list of server URLs as a list, which deliveries take in turn", () => {
    const urls = ["http://localhost:3001/api/vapi/webhook", "http://localhost:3002/api/vapi/webhook"];
    const config = resolveConfig(configFromEnv({ ...ENV, VAPI_SERVER_URL: urls.join(", ") }));
    expect(config.assistants[0].server?.url).toEqual(urls);
  });

  it("refuses a signing mode without a secret", () => {
    expect(() => configFromEnv({ ...ENV, VAPI_WEBHOOK_SECRET: undefined })).toThrow(/VAPI_WEBHOOK_SECRET/);
  });

  it("merges the JSON file at VAPI_EMULATOR_CONFIG over the env, assistants by id", () => {
    const file = join(mkdtempSync(join(tmpdir(), "vapi-emulator-")), "config.json");
    writeFileSync(
      file,
      JSON.stringify({
        speechCharsPerSecond: 40,
        assistants: [{ id: "asst-1", maxDurationSeconds: 120 }, { id: "asst-2" }],
      }),
    );
    const config = resolveConfig(configFromEnv({ ...ENV, VAPI_EMULATOR_CONFIG: file }));
    expect(config.speechCharsPerSecond).toBe(40);
    expect(config.assistants.map((assistant) => assistant.id)).toEqual(["asst-1", "asst-2"]);
    expect(config.assistants[0]).toMatchObject({ maxDurationSeconds: 120, server: { url: ENV.VAPI_SERVER_URL } });
  });

  it("explains an invalid config", () => {
    expect(() => resolveConfig({ assistants: [{ id: "a", maxDurationSeconds: 5 }] })).toThrow(/maxDurationSeconds/);
  });
});
