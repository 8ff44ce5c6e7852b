import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COULD_HOLD_PERSONAL_DATA, maskPersonalData, maskString, PERSONAL_DATA } from "./mask";

describe("maskPersonalData", () => {
  it.each([
    ["+14155550123", "+*********23"],
    ["+44 20 7946 0958", "+** ** **** **58"],
    ["+1 (415) 555-0123", "+* (***) ***-**23"],
    ["(415) 555-0123", "(***) ***-**23"],
    ["415-555-0123", "***-***-**23"],
    ["415.555.0123", "***.***.**23"],
    ["call me at 4155550123 please", "call me at ********23 please"],
  ])("masks the phone number %s", (input, expected) => {
    expect(maskString(input)).toBe(expected);
  });

  it.each([
    ["ada@example.com", "a***@example.com"],
    ["write to ada.lovelace+coach@mail.example.co.uk.", "write to a***@mail.example.co.uk."],
    ["ping 4155550123@sms.example.com", "ping 4***@sms.example.com"],
  ])("masks the email address in %s", (input, expected) => {
    expect(maskString(input)).toBe(expected);
  });

  it.each([
    "3f2c9a4e-8b1d-4c6e-9f0a-2d7e5b8c1a90",
    "019a7c3e-1f2b-7d4e-8a9b-0c1d2e3f4a5b",
    "2026-09-20T10:04:10.688Z",
    "0.04731816",
    "247.276",
    "https://vapi.daily.co/Qm7pX2sLkT9vB4nR8cWz",
    "You have 42 credits left, 12 minutes.",
    "exceeded-max-duration",
  ])("leaves %s alone", (input) => {
    expect(maskString(input)).toBe(input);
  });

  it("walks objects and arrays, copies them, and leaves non-strings alone", () => {
    const original = {
      message: {
        timestamp: 1789898403455,
        customer: { number: "+14155550123", email: "ada@example.com" },
        artifact: {
          transcript: "User: my number is 415 555 0123\nAI: thanks",
          messages: [{ message: "+14155550123" }],
        },
        cost: 0.37,
        flags: [true, null],
      },
    };
    const masked = maskPersonalData(original);
    expect(masked).toEqual({
      message: {
        timestamp: 1789898403455,
        customer: { number: "+*********23", email: "a***@example.com" },
        artifact: {
          transcript: "User: my number is *** *** **23\nAI: thanks",
          messages: [{ message: "+*********23" }],
        },
        cost: 0.37,
        flags: [true, null],
      },
    });
    expect(original.message.customer.number).toBe("+14155550123");
  });
});

describe("the quick test before the pattern", () => {
  it("passes every string the pattern would mask something in", () => {
    const piece = fc.constantFrom(..."0123456789  .-()+@abcxyz_.%", "com", "+1 ", "\u0000");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join("").replaceAll("\u0000", "");
        const masked = text.replace(PERSONAL_DATA, (match, ...rest) => {
          const groups = rest.at(-1) as { email?: string; phone?: string };
          return groups.email ? "EMAIL" : match.replace(/\d/g, "*");
        });
        if (masked !== text) expect(COULD_HOLD_PERSONAL_DATA.test(text)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
