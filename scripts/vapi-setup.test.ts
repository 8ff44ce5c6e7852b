import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startVapiEmulator } from "@/vapi-emulator/server";
import { explainSetupError, runVapiSetup } from "./vapi-setup";

const PRIVATE_KEY = "sk-setup-test";
const ASSISTANT_ID = "coach-setup-test";
const APP_URL = "https://coach.example.com";
const WEBHOOK_URL = `${APP_URL}/api/vapi/webhook`;

describe("npm run vapi:setup", () => {
  let emulator: RunningEmulator;
  let env: Record<string, string>;
  let output: string[];
  const log = (line: string) => output.push(line);

  beforeEach(async () => {
    // As a fresh Vapi assistant looks: no server, Vapi's default messages and 10-minute ceiling.
    emulator = await startVapiEmulator({ port: 0, privateKey: PRIVATE_KEY, assistants: [{ id: ASSISTANT_ID }] });
    env = {
      VAPI_API_URL: emulator.url,
      VAPI_PRIVATE_KEY: PRIVATE_KEY,
      VAPI_ASSISTANT_ID: ASSISTANT_ID,
      APP_URL,
      VAPI_WEBHOOK_SECRET: "whsec-setup",
      COACH_MAX_CALL_MINUTES: "20",
    };
    output = [];
  });
  afterEach(() => emulator.close());

  async function vapi<T = Record<string, unknown>>(path: string): Promise<T> {
    const response = await fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${PRIVATE_KEY}` } });
    return (await response.json()) as T;
  }

  it("on a dry run, prints what it would change and changes nothing", async () => {
    const before = await vapi(`/assistant/${ASSISTANT_ID}`);
    const result = await runVapiSetup(env, { dryRun: true, log });

    expect(result.credential.action).toBe("would-create");
    expect(result.plan.changes.map((change) => change.setting)).toEqual([
      "server.url",
      "server.credentialId",
      "maxDurationSeconds",
      "model.tools[getRemainingCredits].server",
    ]);
    expect(output.join("\n")).toContain(`Would change:\n  server.url: (unset) → "${WEBHOOK_URL}"`);
    expect(await vapi(`/assistant/${ASSISTANT_ID}`)).toEqual(before);
    expect(await vapi<unknown[]>("/credential")).toEqual([]);
  });

  it("makes the assistant match what the webhook needs, then finds nothing left to change", async () => {
    const first = await runVapiSetup(env, { log });
    expect(first.credential.action).toBe("created");

    const credentials = await vapi<unknown[]>("/credential");
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({
      id: first.credential.id,
      provider: "webhook",
      authenticationPlan: { type: "hmac", algorithm: "sha256" },
    });
    const server = { url: WEBHOOK_URL, credentialId: first.credential.id };
    const assistant = await vapi(`/assistant/${ASSISTANT_ID}`);
    expect(assistant).toMatchObject({
      server,
      maxDurationSeconds: 20 * 60 + 10,
      monitorPlan: { controlEnabled: true },
      model: { tools: [{ type: "function", function: { name: "getRemainingCredits" }, server }] },
    });
    expect(assistant.serverMessages).toEqual(
      expect.arrayContaining(["status-update", "end-of-call-report", "conversation-update", "tool-calls"]),
    );
    expect(output.join("\n")).toContain("Changed:\n  server.url:");

    output = [];
    const second = await runVapiSetup(env, { log });
    expect(second.credential).toEqual({ id: first.credential.id, action: "reused" });
    expect(second.plan.changes).toEqual([]);
    expect(output.join("\n")).toContain("nothing to change");
    expect(await vapi<unknown[]>("/credential")).toHaveLength(1);
  });

  it("adds missing server messages and turns control back on without dropping the rest", async () => {
    await fetch(`${emulator.url}/assistant/${ASSISTANT_ID}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${PRIVATE_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        serverMessages: ["hang", "status-update"],
        monitorPlan: { controlEnabled: false, listenEnabled: false },
      }),
    });
    await runVapiSetup(env, { log });
    const assistant = await vapi(`/assistant/${ASSISTANT_ID}`);
    expect(assistant.serverMessages).toEqual([
      "hang",
      "status-update",
      "end-of-call-report",
      "conversation-update",
      "tool-calls",
    ]);
    expect(assistant.monitorPlan).toMatchObject({ controlEnabled: true, listenEnabled: false });
  });

  it("takes static secrets off the server (they travel in plain sight) and keeps its other headers, without printing them", async () => {
    await fetch(`${emulator.url}/assistant/${ASSISTANT_ID}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${PRIVATE_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        server: {
          url: WEBHOOK_URL,
          headers: { Authorization: "Bearer static-secret", "X-Vapi-Secret": "legacy-secret", "X-Team": "coach" },
        },
      }),
    });
    const result = await runVapiSetup(env, { log });
    expect(result.plan.changes.map((change) => change.setting)).toEqual(
      expect.arrayContaining(["server.headers.Authorization", "server.headers.X-Vapi-Secret"]),
    );
    expect((await vapi(`/assistant/${ASSISTANT_ID}`)).server).toEqual({
      url: WEBHOOK_URL,
      credentialId: result.credential.id,
      timeoutSeconds: expect.any(Number),
      headers: { "X-Team": "coach" },
    });
    expect(output.join("\n")).not.toMatch(/static-secret|legacy-secret/);
  });

  it("prints the dashboard-only checklist with the app's origin and the coach's id", async () => {
    await runVapiSetup(env, { dryRun: true, log });
    const text = output.join("\n");
    expect(text).toContain("Allowed origins: https://coach.example.com");
    expect(text).toContain(`Allowed assistants: ${ASSISTANT_ID}`);
    expect(text).toContain("Transient assistants: off");
    expect(text).toContain("VAPI_PRIVATE_KEY");
  });

  it("says clearly when the private key is wrong or missing", async () => {
    const badKey = { ...env, VAPI_PRIVATE_KEY: "pk-not-the-private-key" };
    const error = await runVapiSetup(badKey, { log }).catch((caught: unknown) => caught);
    expect(explainSetupError(error, badKey)).toMatch(
      /^Vapi rejected VAPI_PRIVATE_KEY \(GET \/assistant\/coach-setup-test: HTTP 401\)/,
    );

    await expect(runVapiSetup({ ...env, VAPI_PRIVATE_KEY: undefined }, { log })).rejects.toThrow(
      /VAPI_PRIVATE_KEY is required/,
    );
  });
});
