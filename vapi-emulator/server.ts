import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { adminRoutes } from "./admin-routes";
import { assistantRoutes } from "./assistant-routes";
import { type EmulatorConfig, resolveConfig } from "./config";
import { controlRoute } from "./control-route";
import { Emulator } from "./emulator";
import { answerPreflight, applyCors, HttpError, sendError, sendJson } from "./http";
import { restRoutes } from "./rest-routes";
import { attachRooms } from "./room";
import { compileRoutes, matchRoute, type Route } from "./router";
import { silentWav } from "./wav";

export type { EmulatorConfig } from "./config";

export type RunningEmulator = {
  url: string;
  port: number;
  close(): Promise<void>;
};

/** Starts a Vapi emulator on `config.port` (default 0: any free port). */
export async function startVapiEmulator(config: EmulatorConfig): Promise<RunningEmulator> {
  const resolved = resolveConfig(config);
  let handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    sendJson(res, 503, { message: "starting", error: "Service Unavailable", statusCode: 503 });
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A thousand live calls' requests can open connections faster than one event loop accepts them:
    // past the backlog the kernel drops them, and each waits a retransmit (1, 3, 7 s…).
    server.listen({ port: resolved.port, backlog: 4096 }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const internalUrl = `http://localhost:${port}`;
  const url = (resolved.publicUrl ?? internalUrl).replace(/\/+$/, "");

  const emulator = new Emulator(resolved, url);
  const routes = compileRoutes([
    ...adminRoutes(emulator, () => internalUrl),
    ...restRoutes(emulator),
    ...assistantRoutes(emulator),
    recordingRoute(),
    roomInfoRoute(emulator),
    controlRoute(emulator),
  ]);
  handle = async (req, res) => {
    const requestUrl = new URL(req.url ?? "/", internalUrl);
    if (req.method === "OPTIONS") return answerPreflight(req, res);
    applyCors(req, res);
    try {
      const { route, params, methodMismatch } = matchRoute(routes, req.method ?? "GET", requestUrl.pathname);
      if (!route) throw new HttpError(methodMismatch ? 405 : 404, `Cannot ${req.method} ${requestUrl.pathname}`);
      const name = `${route.method} ${route.path}`;
      emulator.requests.set(name, (emulator.requests.get(name) ?? 0) + 1);
      await route.handle({ req, res, params, query: requestUrl.searchParams });
    } catch (error) {
      if (!res.headersSent) sendError(res, error);
      else res.destroy();
    }
  };
  const rooms = attachRooms(server, emulator);

  return {
    url,
    port,
    async close() {
      emulator.close();
      for (const client of rooms.clients) client.terminate();
      rooms.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function recordingRoute(): Route {
  return {
    method: "GET",
    path: "/recordings/:file",
    handle({ res }) {
      const wav = silentWav(1);
      res.writeHead(200, { "content-type": "audio/wav", "content-length": wav.length });
      res.end(wav);
    },
  };
}

/** A human-readable look at a room; browsers join it over the WebSocket at the same path. */
function roomInfoRoute(emulator: Emulator): Route {
  return {
    method: "GET",
    path: "/room/:name",
    handle({ res, params }) {
      const session = emulator.findByRoom(params.name);
      if (!session) throw new HttpError(404, `Room ${params.name} not found.`);
      sendJson(res, 200, {
        room: params.name,
        callId: session.id,
        status: session.status,
        websocket: `${emulator.baseUrl.replace(/^http/, "ws")}/room/${params.name}`,
      });
    },
  };
}
