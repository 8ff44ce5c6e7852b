import type { IncomingMessage } from "node:http";
/** The body as text, or null once it passes `maxBytes` (read no further: a huge body costs nothing). */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<string | null> {
  const header = request.headers.get("content-length");
  const declared = header === null ? NaN : Number(header);
  if (Number.isSafeInteger(declared) && declared >= 0) {
    // The HTTP parser delivers no more than the declared length, so one read is safe, and it is
    // the cheaper one (this runs for every webhook message).
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
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The same, from a Node request (the production server's own listener, server.ts). */
export async function readNodeBodyCapped(request: IncomingMessage, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers["content-length"] ?? NaN);
  if (Number.isSafeInteger(declared) && declared > maxBytes) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
