// The fuzz case arbitrary: every category of request the webhook must survive, with what it must answer.
import fc from "fast-check";
import { authenticAuth, failingAuth } from "./auth";
import { breakersFor, breaksMessageOnly } from "./breakers";
import { PAID_METADATA_MARKER, type BodySpec, type Case } from "./case";
import { BAD_SHAPE, OK, SURVIVE, UNAUTHORIZED, contentType, replyFor, request, single, transfer } from "./expect";
import {
  KNOWN_TYPES,
  UNKNOWN_TYPES,
  anyKnownMessage,
  anyUnknownMessage,
  callSnapshot,
  lifecycle,
  messageOf,
  type Json,
  type Tone,
} from "./messages";
import { huge, longToken, malformed, nested, rawUnicode } from "./odd-bodies";
import { freshCallId, hostileCallId, hostileNumber } from "./values";

const valid = fc
  .tuple(fc.constantFrom(...KNOWN_TYPES), transfer)
  .chain(([type, via]) =>
    messageOf(type, "plausible").map((message) =>
      single(
        `valid/${type}${type === "status-update" ? `:${String(message.status)}` : ""}`,
        request({ kind: "json", value: { message } }, OK, { transfer: via, ...replyFor(message) }),
      ),
    ),
  );

// A type made of hostile characters may, once the app has dropped what it cannot store, be empty: a bad shape.
const unknownType = anyUnknownMessage("plausible").map((message) => {
  const listed = UNKNOWN_TYPES.includes(message.type as string);
  return single(
    `unknown-type/${listed ? "listed" : "hostile"}`,
    request({ kind: "json", value: { message } }, listed ? OK : SURVIVE, { reply: "empty" }),
  );
});

const hostileFields = fc
  .constantFrom(...KNOWN_TYPES)
  .chain((type) =>
    fc
      .tuple(messageOf(type, "hostile"), contentType)
      .map(([message, ct]) =>
        single(
          `hostile-fields/${type}`,
          request({ kind: "json", value: { message } }, SURVIVE, { contentType: ct, ...replyFor(message) }),
        ),
      ),
  );

const hostileIds = fc
  .constantFrom(...KNOWN_TYPES)
  .chain((type) =>
    fc
      .tuple(messageOf(type, "plausible"), hostileCallId)
      .map(([message, id]) =>
        single(
          "hostile-fields/call-id",
          request(
            { kind: "json", value: { message: { ...message, call: { ...(message.call as Json), id } } } },
            SURVIVE,
          ),
        ),
      ),
  );

/** One number of an end-of-call report pushed to an extreme: what billing arithmetic and integer columns must survive. */
const extremeReport = fc
  .tuple(
    messageOf("end-of-call-report", "plausible"),
    fc.constantFrom("durationSeconds", "durationMs", "durationMinutes", "cost"),
    hostileNumber,
  )
  .map(([message, field, value]) =>
    single(
      `extreme-number/${field}`,
      request({ kind: "json", value: { message: { ...message, [field]: value } } }, SURVIVE, replyFor(message)),
    ),
  );

const badShape = fc.constantFrom(...KNOWN_TYPES).chain((type) =>
  fc.tuple(messageOf(type, "plausible"), breakersFor(type)).map(([message, b]) => {
    const broken = b.apply(message);
    return single(
      `bad-shape/${breaksMessageOnly(b) ? type : "envelope"}`,
      request({ kind: "json", value: breaksMessageOnly(b) ? { message: broken } : broken }, BAD_SHAPE),
    );
  }),
);

const replay = fc
  .tuple(anyKnownMessage("plausible"), fc.integer({ min: 2, max: 4 }), fc.boolean())
  .map(([message, sends, parallel]) =>
    single(
      `replay/${parallel ? "at-once" : "in-turn"}`,
      request({ kind: "json", value: { message } }, OK, { sends, parallel, ...replyFor(message) }),
      [{ kind: "recorded-once", callId: (message.call as Json).id as string }],
    ),
  );

/** Any body at all, to send with headers that must not pass. */
const anyBody: fc.Arbitrary<{ body: BodySpec; overCap: boolean }> = fc.oneof(
  {
    arbitrary: anyKnownMessage("plausible").map((message) => ({
      body: { kind: "json" as const, value: { message } },
      overCap: false,
    })),
    weight: 6,
  },
  {
    arbitrary: anyKnownMessage("hostile").map((message) => ({
      body: { kind: "json" as const, value: { message } },
      overCap: false,
    })),
    weight: 2,
  },
  { arbitrary: malformed.map((c) => ({ body: c.requests[0].body, overCap: false })), weight: 1 },
  { arbitrary: nested.map((c) => ({ body: c.requests[0].body, overCap: false })), weight: 1 },
  { arbitrary: huge.map((c) => ({ body: c.requests[0].body, overCap: c.requests[0].expect[0] === 413 })), weight: 1 },
);

const forwardedFor = fc.oneof(
  { arbitrary: fc.ipV4(), weight: 8 },
  { arbitrary: fc.ipV6(), weight: 1 },
  { arbitrary: fc.constantFrom(undefined, "", "unknown", "1.2.3.4, 5.6.7.8", " , ", "x".repeat(300)), weight: 1 },
);

const unauthorized = fc
  .tuple(anyBody, failingAuth, forwardedFor, transfer)
  .map(([{ body, overCap }, auth, ip, via]) =>
    single(
      `unauthenticated/${auth.kind}`,
      request(body, overCap ? [413] : UNAUTHORIZED, { auth, forwardedFor: ip, transfer: via }),
    ),
  );

/** Over the limit of 60 rejections a minute from one address (lib/calls/inbox.ts). */
const throttle = fc
  .tuple(fc.ipV4(), failingAuth, anyKnownMessage("plausible"), fc.integer({ min: 62, max: 66 }))
  .map(([ip, auth, message, sends]) =>
    single(
      "unauthenticated/throttle",
      request({ kind: "json", value: { message } }, UNAUTHORIZED, { auth, forwardedFor: ip, sends }),
      [{ kind: "throttled" }],
    ),
  );

const authVariant = fc
  .tuple(anyKnownMessage("plausible"), authenticAuth)
  .map(([message, auth]) =>
    single(
      `auth-variant/${auth.kind === "hmac" ? `${auth.clock},${auth.signature}${auth.alongside ? `,${auth.alongside}` : ""}` : auth.kind}`,
      request({ kind: "json", value: { message } }, OK, { auth, ...replyFor(message) }),
    ),
  );

/** Keys that would smuggle a call id in through a prototype, if anything merged them naively. */
const pollution = fc
  .tuple(
    freshCallId,
    anyKnownMessage("plausible"),
    fc.constantFrom(
      "message.__proto__",
      "message.constructor.prototype",
      "root.__proto__",
      "call.__proto__",
      "prototype",
    ),
  )
  .map(([canary, message, where]) => {
    const smuggled = { call: { id: canary, monitor: { controlUrl: "http://127.0.0.1:9/control" } } };
    const { call, ...withoutCall } = message;
    const value =
      where === "message.__proto__"
        ? { message: { ...withoutCall, ...Object.fromEntries([["__proto__", smuggled]]) } }
        : where === "message.constructor.prototype"
          ? { message: { ...withoutCall, constructor: { prototype: smuggled } } }
          : where === "root.__proto__"
            ? Object.fromEntries([["__proto__", { message: { ...message, ...smuggled } }]])
            : where === "call.__proto__"
              ? { message: { ...message, call: Object.fromEntries([["__proto__", { id: canary }]]) } }
              : {
                  message: {
                    ...withoutCall,
                    prototype: smuggled,
                    call: { ...(call as Json), constructor: smuggled.call },
                  },
                };
    return single(`pollution/${where}`, request({ kind: "json", value }, SURVIVE), [
      { kind: "absent", callId: canary },
    ]);
  });

/** A paid call's life with a real reservation: in-progress, talk, a tool call, ended, and the report. */
const paid = fc.tuple(fc.constantFrom<Tone>("plausible", "hostile"), freshCallId).chain(([tone, id]) => {
  const call = callSnapshot("plausible", fc.constant(id), fc.constant(PAID_METADATA_MARKER)).map((c): Json => c);
  return fc
    .tuple(
      lifecycle.inProgress(call),
      lifecycle.conversation(call),
      lifecycle.toolCalls(call),
      lifecycle.ended(call),
      lifecycle.report(call, tone),
    )
    .map((messages): Case => ({
      category: `paid-call/${tone === "plausible" ? "plausible" : "hostile-report"}`,
      authentic: true,
      paid: true,
      together: false,
      checks: [],
      requests: messages.map((message, i) =>
        request({ kind: "json", value: { message } }, i === 4 && tone === "hostile" ? SURVIVE : OK, replyFor(message)),
      ),
    }));
});

/** Messages of every sort arriving at the same moment: each must get its own answer, whatever its neighbours hold. */
const burst = fc
  .array(fc.oneof({ arbitrary: valid, weight: 3 }, hostileFields, rawUnicode, nested, badShape), {
    minLength: 2,
    maxLength: 6,
  })
  .map((cases): Case => ({
    category: "burst",
    authentic: true,
    requests: cases.map((c) => ({ ...c.requests[0], origin: c.category })),
    together: true,
    checks: [],
    paid: false,
  }));

const WEIGHTED: [number, fc.Arbitrary<Case>][] = [
  [40, valid],
  [8, unknownType],
  [20, hostileFields],
  [8, hostileIds],
  [20, badShape],
  [10, malformed],
  [12, rawUnicode],
  [10, nested],
  [6, huge],
  [2, longToken],
  [8, replay],
  [40, unauthorized],
  [1, throttle],
  [10, authVariant],
  [6, pollution],
  [4, paid],
  [6, burst],
  [5, extremeReport],
];

export const fuzzCase: fc.Arbitrary<Case> = fc.oneof(...WEIGHTED.map(([weight, arbitrary]) => ({ arbitrary, weight })));
