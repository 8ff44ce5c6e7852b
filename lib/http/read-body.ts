import type { IncomingMessage } from "node:http";
/**
 * The body as text, or null when it is over `maxBytes`. A body sent in chunks is read to its end
 * even past the cap (the rest dropped): left unread, it held up the next request on the kept-alive
 * connection, and Next gives a route no other way to let it go.
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<string | null> {
  const header = request.headers.get("content-length");
  const declared = header === null ? NaN : Number(header);
  if (Number.isSafeInteger(declared) && declared >= 0) {
    // The HTTP parser delivers no more than the declared length, so one read is safe, and it is
    // the cheaper one (this runs for every webhook message). Past the cap, Node drops the body.
    if (declared > maxBytes) return null;
    return request.text();
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= maxBytes) chunks.push(value);
  }
  return size > maxBytes ? null : Buffer.concat(chunks).toString("utf8");
}

/**
 * The same, from a Node request (the production server's own listener, server.ts), answered as soon
 * as it passes the cap: the rest of the body is dropped as it arrives, so the connection stays
 * usable for the next request. (Leaving a loop over the request destroys it instead, and the next
 * request on a kept-alive connection then hung behind a chunked body cut off mid-way.)
 */
export function readNodeBodyCapped(request: IncomingMessage, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers["content-length"] ?? NaN);
  // Node drops the rest of a body with a declared length once the answer is sent.
  if (Number.isSafeInteger(declared) && declared > maxBytes) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBytes) return void chunks.push(chunk);
      request.off("data", onData).off("end", onEnd).resume();
      resolve(null);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString("utf8"));
    request.on("data", onData).on("end", onEnd).once("error", reject);
  });
}
