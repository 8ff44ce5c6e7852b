// `npm start`: the production server, one process. Next serves the app; a Vapi server message is
// answered before Next sees it (lib/http/webhook-listener.ts), since every turn of every call sends
// one and Next's own handling of a request costs several times the message's work (README,
// Benchmarks). `PORT` (default 3000) and `HOSTNAME` as for `next start`.
import http from "node:http";
import nextEnv from "@next/env";

// The .env files `next start` reads, before anything reads the environment.
nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
Object.assign(process.env, { NODE_ENV: "production" });

const { default: next } = await import("next");
const { isServerMessagePost, serveServerMessage } = await import("@/lib/http/webhook-listener");
const { log } = await import("@/lib/observability/log");

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME;
const app = next({ dev: false, dir: process.cwd(), port, hostname });
const handle = app.getRequestHandler();
await app.prepare();
http
  .createServer((request, response) => {
    if (isServerMessagePost(request)) void serveServerMessage(request, response);
    else void handle(request, response);
  })
  .listen(port, hostname, () => log.info({ port, pid: process.pid }, "Coach Call is serving"));
