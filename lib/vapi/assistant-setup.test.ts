import { describe, expect, it } from "vitest";
import { describeChange, planAssistantUpdate } from "./assistant-setup";

const inputs = { appUrl: "https://coach.example.com", assistantId: "a1", webhookSecret: "whsec", maxCallMinutes: 20 };
const url = "https://coach.example.com/api/vapi/webhook";

describe("planAssistantUpdate", () => {
  // The emulator keeps no secrets on a tool's server, so this is checked on the plan itself.
  it("takes a static secret off the credits tool's server too, and never shows it", () => {
    const current = {
      server: { url, credentialId: "cred-1", secret: "assistant-secret" },
      model: {
        provider: "openai",
        tools: [
          {
            type: "function",
            function: { name: "getRemainingCredits" },
            server: { url, secret: "tool-secret", headers: { Authorization: "Bearer tool-bearer" } },
          },
        ],
      },
    };
    const plan = planAssistantUpdate(current, inputs, "cred-1");
    expect(plan.update.server).toEqual({ url, credentialId: "cred-1" });
    expect((plan.update.model as { tools: { server: unknown }[] }).tools[0].server).toEqual({
      url,
      credentialId: "cred-1",
    });
    expect(plan.changes.map((c) => c.setting)).toEqual(
      expect.arrayContaining([
        "server.secret",
        "model.tools[getRemainingCredits].server.secret",
        "model.tools[getRemainingCredits].server.headers.Authorization",
      ]),
    );
    expect(plan.changes.map(describeChange).join("\n")).not.toMatch(/assistant-secret|tool-secret|tool-bearer/);
  });
});
