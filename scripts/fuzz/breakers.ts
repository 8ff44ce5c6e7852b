// Bad shapes of known message types: each breaker takes a valid message and makes it fail its schema
// (lib/vapi/message-schemas.ts), so the webhook must answer 400 or 422.
import fc from "fast-check";
import type { Json, KnownType } from "./messages";

type Breaker = { name: string; apply: (m: Json) => unknown };

const set =
  (path: string[], value: unknown) =>
  (m: Json): Json => {
    const copy: Json = structuredClone(m);
    let at: Json = copy;
    for (const key of path.slice(0, -1)) {
      if (typeof at[key] !== "object" || at[key] === null) at[key] = {};
      at = at[key] as Json;
    }
    at[path[path.length - 1]] = value;
    return copy;
  };
const drop =
  (key: string) =>
  (m: Json): Json => {
    const copy: Json = structuredClone(m);
    delete copy[key];
    return copy;
  };
const breaker = (name: string, apply: (m: Json) => unknown): Breaker => ({ name, apply });
const wrongTypes = (path: string[], values: unknown[]) =>
  values.map((v) => breaker(`${path.join(".")}=${JSON.stringify(v)}`, set(path, v)));

const common: Breaker[] = [
  ...wrongTypes(["timestamp"], [true, {}, []]),
  ...wrongTypes(["call"], ["call-1", 5, [], {}, true]),
  ...wrongTypes(["call", "id"], ["", 5, null, {}, []]),
  ...wrongTypes(["call", "monitor"], ["x", 5]),
  ...wrongTypes(["call", "monitor", "controlUrl"], [5, {}]),
  ...wrongTypes(["call", "assistantOverrides"], ["x", 5]),
  ...wrongTypes(["assistant"], ["x", 5, []]),
  ...wrongTypes(["type"], [5, null, "", [], {}]),
];

/** Fields each schema requires or types. */
const byType: Record<KnownType, Breaker[]> = {
  "status-update": [
    breaker("no status", drop("status")),
    ...wrongTypes(["status"], ["", 5, null, []]),
    ...wrongTypes(["endedReason"], [5, {}]),
  ],
  "end-of-call-report": [
    breaker("no endedReason", drop("endedReason")),
    ...wrongTypes(["endedReason"], ["", 5, null]),
    ...wrongTypes(["durationSeconds"], ["1e308", "NaN", "Infinity", "12", {}, true]),
    ...wrongTypes(["durationMs"], ["12", []]),
    ...wrongTypes(["cost"], ["0.1", {}]),
    ...wrongTypes(["costs"], ["x", [5], [{ cost: "1" }]]),
    ...wrongTypes(["startedAt"], [5, {}]),
    ...wrongTypes(["analysis"], ["x", 5]),
    ...wrongTypes(["analysis", "summary"], [5, []]),
    ...wrongTypes(["artifact"], ["x", 5]),
    ...wrongTypes(["artifact", "transcript"], [5, {}]),
    ...wrongTypes(["artifact", "messages"], ["x", {}]),
    ...wrongTypes(["summary"], [[], 5]),
    ...wrongTypes(["transcript"], [{}, 5]),
    ...wrongTypes(["recordingUrl"], [5]),
  ],
  "conversation-update": [
    ...wrongTypes(["messages"], ["x", {}, 5]),
    ...wrongTypes(["messagesOpenAIFormatted"], ["x", {}]),
  ],
  "tool-calls": [
    breaker("no toolCallList", drop("toolCallList")),
    ...wrongTypes(
      ["toolCallList"],
      [
        {},
        "x",
        null,
        [{}],
        [{ id: "", name: "x" }],
        [{ id: "t1", function: {} }],
        [{ id: "t1", name: 5 }],
        [{ id: "t1", function: { name: "x", arguments: 5 } }],
      ],
    ),
  ],
  "assistant-request": [],
  transcript: [
    breaker("no role", drop("role")),
    breaker("no transcriptType", drop("transcriptType")),
    breaker("no transcript", drop("transcript")),
    ...wrongTypes(["transcript"], [5, null]),
    ...wrongTypes(["role"], ["", 5]),
  ],
  "speech-update": [
    breaker("no status", drop("status")),
    breaker("no role", drop("role")),
    ...wrongTypes(["turn"], ["1", {}]),
  ],
  hang: [],
  "user-interrupted": [...wrongTypes(["turnId"], [5, {}])],
};

/** The envelope around a message, broken: not an object, or no `message` in it. */
const envelopes: Breaker[] = [
  breaker("message=null", () => ({ message: null })),
  breaker("message=[]", (m) => ({ message: [m] })),
  breaker('message="x"', () => ({ message: "x" })),
  breaker("message=5", () => ({ message: 5 })),
  breaker("root=[]", (m) => [{ message: m }]),
  breaker('root="x"', () => "x"),
  breaker("root=5", () => 5),
  breaker("root=null", () => null),
  breaker("root={}", () => ({})),
  breaker("root={msg}", (m) => ({ msg: m })),
];

export function breakersFor(type: KnownType): fc.Arbitrary<Breaker> {
  const own = byType[type];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...common), weight: 2 },
    { arbitrary: fc.constantFrom(...envelopes), weight: 1 },
    ...(own.length ? [{ arbitrary: fc.constantFrom(...own), weight: 3 }] : []),
  );
}

/** Whether a breaker leaves the `{ message }` envelope alone (it then breaks only the message). */
export const breaksMessageOnly = (b: Breaker) => !envelopes.includes(b);
