import { beforeAll, describe, expect, it } from "vitest";
import { freshDb } from "@/test/db";
import type { Db } from "@/lib/db/client";
import { recordEvent, type EventRow } from "./event-log";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

const row = (dedupeKey: string, extra: Partial<EventRow> = {}): EventRow => ({
  dedupeKey,
  type: "conversation-update",
  vapiCallId: "call-1",
  outcome: "ACCEPTED",
  payload: { key: dedupeKey },
  receivedAt: new Date(),
  ...extra,
});

describe("recordEvent", () => {
  it("records messages that arrive together, each once, and tells a redelivery apart", async () => {
    const firsts = await Promise.all(Array.from({ length: 50 }, (_, i) => recordEvent(db, row(`together-${i}`))));
    expect(firsts.every((r) => r.first && !r.pending)).toBe(true);
    expect(await db.webhookEvent.count({ where: { dedupeKey: { startsWith: "together-" } } })).toBe(50);
    expect(await recordEvent(db, row("together-7"))).toEqual({ first: false, pending: false });
  });

  it("takes a key sent twice at once as one first sighting and one redelivery", async () => {
    const firsts = await Promise.all([
      recordEvent(db, row("twice-warm-up")), // takes the first write, so the next three share the following one
      recordEvent(db, row("twice")),
      recordEvent(db, row("twice")),
      recordEvent(db, row("other")),
    ]);
    expect(firsts.map((r) => r.first)).toEqual([true, true, false, true]);
    expect(await db.webhookEvent.count({ where: { dedupeKey: "twice" } })).toBe(1);
  });

  it("keeps a message's action pending until it is processed: a redelivery before then is pending again, after it is not", async () => {
    const action = { kind: "end", vapiCallId: "call-a", endedAt: new Date().toISOString() };
    expect(await recordEvent(db, row("act-1", { type: "status-update", action }))).toEqual({
      first: true,
      pending: true,
    });
    expect(await recordEvent(db, row("act-1", { type: "status-update", action }))).toEqual({
      first: false,
      pending: true,
    });
    await db.webhookEvent.update({ where: { dedupeKey: "act-1" }, data: { processedAt: new Date() } });
    expect(await recordEvent(db, row("act-1", { type: "status-update", action }))).toEqual({
      first: false,
      pending: false,
    });
    expect((await db.webhookEvent.findUniqueOrThrow({ where: { dedupeKey: "act-1" } })).nextAttemptAt).not.toBeNull();
  });

  it("keeps the transcript of the later of two conversation updates that arrive together", async () => {
    await db.call.create({ data: { vapiCallId: "call-t", status: "ACTIVE" } });
    await Promise.all([
      recordEvent(db, row("warm-up")), // takes the first write, so the next two share the following one
      recordEvent(db, row("t-1", { vapiCallId: "call-t", transcript: "AI: Hi" })),
      recordEvent(db, row("t-2", { vapiCallId: "call-t", transcript: "AI: Hi\nUser: Hello" })),
    ]);
    expect((await db.call.findUniqueOrThrow({ where: { vapiCallId: "call-t" } })).transcript).toBe(
      "AI: Hi\nUser: Hello",
    );
  });

  it("keeps the transcript Vapi sent last, whatever order the updates arrive in", async () => {
    await db.call.create({ data: { vapiCallId: "call-o", status: "ACTIVE" } });
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, 0, ms));
    await Promise.all([
      recordEvent(db, row("o-warm-up")),
      recordEvent(db, row("o-2", { vapiCallId: "call-o", transcript: "AI: Hi\nUser: Hello", sentAt: at(200) })),
      recordEvent(db, row("o-1", { vapiCallId: "call-o", transcript: "AI: Hi", sentAt: at(100) })),
    ]);
    expect((await db.call.findUniqueOrThrow({ where: { vapiCallId: "call-o" } })).transcript).toBe(
      "AI: Hi\nUser: Hello",
    );
    await recordEvent(db, row("o-00", { vapiCallId: "call-o", transcript: "AI: (older)", sentAt: at(50) }));
    expect(await db.call.findUniqueOrThrow({ where: { vapiCallId: "call-o" } })).toMatchObject({
      transcript: "AI: Hi\nUser: Hello",
      transcriptAt: at(200),
    });
  });

  it("writes a call's messages in the order they came, even when more writes start behind a slow one", async () => {
    await db.call.create({ data: { vapiCallId: "call-q", status: "ACTIVE" } });
    // No send times: only the order of the writes decides which transcript stays. The first
    // message's write is slow (a large payload); a row waits behind it long enough for a second
    // write to start, and the call's second message, arriving then, must not overtake the first.
    const large = { lines: Array.from({ length: 200_000 }, (_, i) => `line ${i}`) };
    const first = recordEvent(db, row("q-1", { vapiCallId: "call-q", transcript: "AI: Hi", payload: large }));
    const waiting = recordEvent(db, row("q-other", { vapiCallId: "call-other" }));
    await new Promise((resolve) => setTimeout(resolve, 40));
    const second = recordEvent(db, row("q-2", { vapiCallId: "call-q", transcript: "AI: Hi\nUser: Hello" }));
    await Promise.all([first, waiting, second]);
    expect((await db.call.findUniqueOrThrow({ where: { vapiCallId: "call-q" } })).transcript).toBe(
      "AI: Hi\nUser: Hello",
    );
  });

  it("fails only the message PostgreSQL refuses, not the others written with it", async () => {
    const results = await Promise.allSettled([
      recordEvent(db, row("lead")),
      recordEvent(db, row("good-1")),
      recordEvent(db, row("bad\u0000key")), // text cannot hold a NUL byte
      recordEvent(db, row("good-2")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(await db.webhookEvent.count({ where: { dedupeKey: { in: ["good-1", "good-2"] } } })).toBe(2);
  });
});
