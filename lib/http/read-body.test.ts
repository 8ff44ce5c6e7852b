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

  it("reads a chunked body up to the cap, and stops past it", async () => {
    expect(await readBodyCapped(chunked(["ab", "cd"]), 4)).toBe("abcd");
    expect(await readBodyCapped(chunked(["abc", "de", "never read"]), 4)).toBeNull();
  });
});
