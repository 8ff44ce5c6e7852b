import { afterEach, describe, expect, it } from "vitest";
import { hmacSignature } from "../signing";
import { ASSISTANT_ID, type JsonObject, KEYS, sleep, startStack } from "./support";

describe("saved assistants and webhook credentials", () => {
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function send(method: string, path: string, body?: unknown, token: string = KEYS.privateKey) {
    const response = await fetch(`${stack!.emulator.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as JsonObject };
  }

  it("serves the saved assistant in Vapi's shape, to the private key only", async () => {
    stack = await startStack();
    const { status, body } = await send("GET", `/assistant/${ASSISTANT_ID}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: ASSISTANT_ID,
      orgId: KEYS.orgId,
      maxDurationSeconds: 600,
      monitorPlan: { controlEnabled: true },
      model: { tools: [{ type: "function", function: { name: "getRemainingCredits" } }] },
    });
    expect((await send("GET", `/assistant/${ASSISTANT_ID}`, undefined, KEYS.publicKey)).status).toBe(401);
    expect((await send("GET", "/assistant/nope")).status).toBe(404);
  });

  it("keeps credentials' secrets out of every answer", async () => {
    stack = await startStack();
    const created = await send("POST", "/credential", {
      provider: "webhook",
      name: "coach-call webhook",
      authenticationPlan: { type: "hmac", secretKey: "whsec-new", algorithm: "sha256" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      provider: "webhook",
      name: "coach-call webhook",
      authenticationPlan: { type: "hmac", algorithm: "sha256" },
    });
    const listed = await send("GET", "/credential");
    expect(listed.body).toEqual([created.body]);
    expect(JSON.stringify(listed.body)).not.toContain("whsec-new");
  });

  it("refuses HMAC settings it cannot sign with, and unknown credentials", async () => {
    stack = await startStack();
    const prefixed = await send("POST", "/credential", {
      authenticationPlan: { type: "hmac", secretKey: "s", signaturePrefix: "sha256=" },
    });
    expect(prefixed.status).toBe(400);
    const patched = await send("PATCH", `/assistant/${ASSISTANT_ID}`, {
      server: { url: "http://localhost:9/x", credentialId: "nope" },
    });
    expect(patched.status).toBe(400);
  });

  it("signs later calls' deliveries with the HMAC credential a PATCH names", async () => {
    stack = await startStack();
    const { receiver, api } = stack;
    const credential = await send("POST", "/credential", {
      provider: "webhook",
      authenticationPlan: { type: "hmac", secretKey: "whsec-rotated" },
    });
    const server = { url: `${receiver.url}/new-hook`, credentialId: credential.body.id };
    const patched = await send("PATCH", `/assistant/${ASSISTANT_ID}`, {
      server,
      serverMessages: ["status-update", "end-of-call-report"],
      maxDurationSeconds: 1810,
      monitorPlan: { controlEnabled: true },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      server,
      serverMessages: ["status-update", "end-of-call-report"],
      maxDurationSeconds: 1810,
    });
    expect((await send("GET", `/assistant/${ASSISTANT_ID}`)).body).toMatchObject({ server, maxDurationSeconds: 1810 });

    const call = await api.createCall();
    await api.admin("POST", `/calls/${String(call.body.id)}/join`);
    await api.admin("POST", `/calls/${String(call.body.id)}/hangup`);
    await waitFor(() => receiver.types().includes("end-of-call-report"));
    expect(receiver.types()).toEqual(["status-update:in-progress", "status-update:ended", "end-of-call-report"]);
    for (const request of receiver.requests) {
      expect(request.path).toBe("/new-hook");
      const timestamp = String(request.headers["x-timestamp"]);
      expect(request.headers["x-signature"]).toBe(hmacSignature("whsec-rotated", timestamp, request.rawBody));
    }
  });

  it("rejects a maxDurationSeconds Vapi would reject", async () => {
    stack = await startStack();
    expect((await send("PATCH", `/assistant/${ASSISTANT_ID}`, { maxDurationSeconds: 5 })).status).toBe(400);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(20);
  }
}
