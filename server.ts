// `npm start`: the production server, one process. Next serves the app; a Vapi server message is
// answered before Next sees it (lib/http/webhook-listener.ts), since every turn of every call sends
// one and Next's own handling of a request costs several times the message's work (README,
// Benchmarks). `PORT` (default 3000); it listens on every interface, as `next start` does.
import http from "node:http";
import nextEnv from "@next/env";

// The .env files `next start` reads, before anything reads the environment.
nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
Object.assign(process.env, { NODE_ENV: "production" });

const { default: next } = await import("next");
const { isServerMessagePost, serveServerMessage } = await import("@/lib/http/webhook-listener");
const { log } = await import("@/lib/observability/log");
const { stopScheduler } = await import("@/lib/calls/scheduler");

const port = Number(process.env.PORT ?? 3000);
// Connections waiting to be accepted (the kernel caps it at net.core.somaxconn). Node's default is
// 511, and at a thousand live calls up to about 400 were seen waiting here. Past the backlog the
// kernel drops the SYN and the sender retries 1, 3, 7, 15 s later: a message answered in
// milliseconds takes seconds to arrive.
const LISTEN_BACKLOG = 4096;
const app = next({ dev: false, dir: process.cwd(), port });
const handle = app.getRequestHandler();
await app.prepare();
const server = http
  .createServer((request, response) => {
    if (isServerMessagePost(request)) void serveServerMessage(request, response);
    else void handle(request, response);
  })
  .listen({ port, backlog: LISTEN_BACKLOG }, () => log.info({ port, pid: process.pid }, "Coach Call is serving"));

// `next start` exits on these by itself; a custom server must. Requests under way finish, the
// background work (if this process runs it, instrumentation.ts) stops, then the process exits.
const STOP_WITHIN_MS = 10_000;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    const closed = new Promise((resolve) => server.close(resolve));
    void Promise.allSettled([closed, stopScheduler()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), STOP_WITHIN_MS).unref();
  });
