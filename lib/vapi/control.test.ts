import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { endCallNow, sayOnCall, sendControl } from "./control";
import { closedPortUrl, sendJson, startTestHttpServer, type TestHttpServer } from "@/test/http-server";

let server: TestHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function controlServer(status: number) {
  server = await startTestHttpServer((_, res) => sendJson(res, status, status < 300 ? {} : { message: "call ended" }));
  return `${server.url}/call_1/control`;
}

describe("control URL client", () => {
  it("POSTs a flat end-call body and reports 200 as ok", async () => {
    const controlUrl = await controlServer(200);
    expect(await endCallNow(controlUrl)).toEqual({ ok: true, status: 200 });
    expect(server!.requests).toHaveLength(1);
    const [request] = server!.requests;
    expect(request).toMatchObject({ method: "POST", url: "/call_1/control" });
    expect(request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request.body)).toEqual({ type: "end-call" });
  });

  it("sends say with `content` and endCallAfterSpoken", async () => {
    const controlUrl = await controlServer(200);
    await sayOnCall(controlUrl, "One minute of credit left.", { endCallAfterSpoken: false });
    await sayOnCall(controlUrl, "Out of credits, goodbye!", { endCallAfterSpoken: true });
    expect(server!.requests.map((request) => JSON.parse(request.body))).toEqual([
      { type: "say", content: "One minute of credit left.", endCallAfterSpoken: false },
      { type: "say", content: "Out of credits, goodbye!", endCallAfterSpoken: true },
    ]);
  });

  it("sends the bearer token only when given one", async () => {
    const controlUrl = await controlServer(200);
    await endCallNow(controlUrl);
    await endCallNow(controlUrl, { bearer: "pub_key" });
    expect(server!.requests.map((request) => request.headers.authorization)).toEqual([undefined, "Bearer pub_key"]);
  });

  it("reports 404 (call already ended) as not ok, with the status", async () => {
    const controlUrl = await controlServer(404);
    const result = await endCallNow(controlUrl);
    expect(result).toMatchObject({ ok: false, status: 404 });
    expect(result.error).toContain("404");
  });

  it("gives up after the timeout without throwing", async () => {
    server = await startTestHttpServer(() => {
      /* never answers */
    });
    const started = Date.now();
    const result = await sendControl(`${server.url}/slow/control`, { type: "end-call" }, { timeoutMs: 200 });
    expect(result).toEqual({ ok: false, error: "timed out after 200 ms" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("reports a refused connection and a malformed URL without throwing", async () => {
    expect(await endCallNow(`${await closedPortUrl()}/control`)).toEqual({
      ok: false,
      error: expect.stringContaining("ECONNREFUSED"),
    });
    expect(await endCallNow("not a url")).toEqual({ ok: false, error: "invalid control URL" });
    expect(await endCallNow("file:///etc/passwd")).toEqual({ ok: false, error: "invalid control URL" });
  });

  it("sends again on a new connection when the server had closed the kept-alive one", async () => {
    // Answers the first request on each connection, then drops the connection at the next, unanswered:
    // what a server does when its keep-alive timeout closes a socket just as a request is written.
    const requests: string[] = [];
    const raw = net.createServer((socket) => {
      let answered = false;
      socket.on("data", (chunk) => {
        requests.push(chunk.toString().split("\r\n")[0]);
        if (answered) return socket.destroy();
        answered = true;
        socket.write(
          "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nkeep-alive: timeout=60\r\n\r\n{}",
        );
      });
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(raw.address() as net.AddressInfo).port}/call_1/control`;
    try {
      expect(await endCallNow(url)).toEqual({ ok: true, status: 200 });
      expect(await endCallNow(url)).toEqual({ ok: true, status: 200 });
      expect(requests).toEqual(Array(3).fill("POST /call_1/control HTTP/1.1"));
    } finally {
      raw.close();
    }
  });
});
