import type { Emulator } from "./emulator";
import { readJsonBody, sendJson } from "./http";
import { requirePrivateKey } from "./keys";
import type { Route } from "./router";

/** The private-key REST calls that configure the org: saved assistants and webhook credentials (§1.2). */
export function assistantRoutes(emulator: Emulator): Route[] {
  const { config } = emulator;
  return [
    {
      method: "GET",
      path: "/assistant/:id",
      async handle({ req, res, params }) {
        await requirePrivateKey(req, config);
        sendJson(res, 200, emulator.assistantView(params.id));
      },
    },
    {
      method: "PATCH",
      path: "/assistant/:id",
      async handle({ req, res, params }) {
        await requirePrivateKey(req, config);
        sendJson(res, 200, emulator.updateAssistant(params.id, await readJsonBody(req)));
      },
    },
    {
      method: "POST",
      path: "/credential",
      async handle({ req, res }) {
        await requirePrivateKey(req, config);
        sendJson(res, 201, emulator.credentials.create(await readJsonBody(req)));
      },
    },
    {
      method: "GET",
      path: "/credential",
      async handle({ req, res }) {
        await requirePrivateKey(req, config);
        sendJson(res, 200, emulator.credentials.list());
      },
    },
  ];
}
