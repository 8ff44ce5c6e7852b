import { describe, expect, it } from "vitest";
import { readBodyCapped } from "./read-body";

const chunked = (parts: string[]) =>
  new Request("http://localhost/", {
    method: "POST",
    body: new ReadableStream({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p));
        c.close();
      },
    }),
    duplex: "half",
  } as RequestInit);

describe("readBodyCapped", () => {
  it("reads a body with a declared length", async () => {
    const request = new Request("http://localhost/", {
      method: "POST",
      body: "héllo",
      headers: { "content-length": "6" },
    });
    expect(await readBodyCapped(request, 10)).toBe("héllo");
  });

  it("refuses a declared length over the cap without reading", async () => {
    const request = new Request("http://localhost/", {
      method: "POST",
      body: "x",
      headers: { "content-length": "11" },
    });
    expect(await readBodyCapped(request, 10)).toBeNull();
    expect(request.bodyUsed).toBe(false);
  });

  it("reads a chunked body up to the cap, and past it reads the rest to its end and drops it", async () => {
    expect(await readBodyCapped(chunked(["ab", "cd"]), 4)).toBe("abcd");
    let pulled = 0;
    const parts = ["abc", "de", "the rest"];
    const request = new Request("http://localhost/", {
      method: "POST",
      body: new ReadableStream({
        pull(c) {
          if (pulled === parts.length) return c.close();
          c.enqueue(new TextEncoder().encode(parts[pulled++]));
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(await readBodyCapped(request, 4)).toBeNull();
    // Left unread, the rest of it held up the next request on a kept-alive connection under Next.
    expect(pulled).toBe(parts.length);
  });
});
