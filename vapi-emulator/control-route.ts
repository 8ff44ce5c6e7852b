import { applyControl } from "./control";
import type { Emulator } from "./emulator";
import { bearerToken, HttpError, readJsonBody, sendJson } from "./http";
import type { Route } from "./router";

/**
 * `POST {monitor.controlUrl}`: 200 while the call is live, 404 once it has ended or when the call
 * (or its control URL) does not exist. With controlAuthenticationEnabled it wants the public key.
 */
export function controlRoute(emulator: Emulator): Route {
  return {
    method: "POST",
    path: "/:id/control",
    async handle({ req, res, params }) {
      const session = emulator.calls.get(params.id);
      if (!session || !session.settings.controlEnabled) throw new HttpError(404, `Call ${params.id} not found.`);
      if (session.settings.controlAuthenticationEnabled && bearerToken(req) !== emulator.config.publicKey) {
        throw new HttpError(401, "Control requires `Authorization: Bearer <public key>`.");
      }
      const body = await readJsonBody(req);
      const result = applyControl(session, body, "control-url", emulator.config);
      sendJson(res, result.httpStatus, result.body);
    },
  };
}
