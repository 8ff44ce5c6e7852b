// Masks personal data before payloads reach logs or the admin UI. It errs on the side of masking:
// a masked id in a log costs a little readability, an unmasked phone number is a leak.

const EMAIL = String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`;
// E.164 (+14155550123), grouped national or international forms (+1 (415) 555-0123, 415.555.0123,
// +44 20 7946 0958), and bare runs of 10–15 digits as transcribers write spoken numbers.
const E164 = String.raw`\+[1-9]\d{6,14}`;
const GROUPED = String.raw`(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?|\d{1,4}[\s.-])(?:\d{2,4}[\s.-]){0,2}\d{3,4}`;
const BARE = String.raw`\d{10,15}`;
// Both alternatives start only where a match could begin (the lookbehinds): without that, a long
// run of letters or digits is rescanned from every position, quadratic in its length.
export const PERSONAL_DATA = new RegExp(
  String.raw`(?<![A-Za-z0-9._%+-])(?<email>${EMAIL})|(?<![\w+@.])(?<phone>${E164}|${GROUPED}|${BARE})(?![\w@])`,
  "g",
);

const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15;

/**
 * Deep copy of JSON-like data with emails and phone numbers in every string masked, and NUL
 * characters dropped from strings and keys (PostgreSQL's text and jsonb cannot hold them).
 */
export function maskPersonalData(value: unknown): unknown {
  return maskValue(value, new WeakSet());
}

function maskValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return maskString(value);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  const copy = Array.isArray(value)
    ? value.map((item) => maskValue(item, seen))
    : Object.fromEntries(Object.entries(value).map(([key, item]) => [withoutNul(key), maskValue(item, seen)]));
  seen.delete(value);
  return copy;
}

// Every email has an "@", and every phone number form above three digits in a row: a string with
// neither (most of a message: ids, roles, words) is returned without running the pattern.
export const COULD_HOLD_PERSONAL_DATA = /@|\d{3}/;

export function maskString(text: string): string {
  const clean = withoutNul(text);
  if (!COULD_HOLD_PERSONAL_DATA.test(clean)) return clean;
  return clean.replace(PERSONAL_DATA, (match, ...rest) => {
    const groups = rest.at(-1) as { email?: string; phone?: string };
    if (groups.email) return maskEmail(groups.email);
    return maskPhone(match);
  });
}

const withoutNul = (text: string) => (text.includes("\u0000") ? text.replaceAll("\u0000", "") : text);

/** ada.lovelace@example.com → a***@example.com */
function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  return `${email[0]}***${email.slice(at)}`;
}

/** +1 (415) 555-0123 → +* (***) ***-**23: the shape stays, only the last two digits show. */
function maskPhone(phone: string): string {
  const digitCount = phone.replace(/\D/g, "").length;
  if (digitCount < MIN_PHONE_DIGITS || digitCount > MAX_PHONE_DIGITS) return phone;
  let digitsLeft = digitCount;
  return phone.replace(/\d/g, (digit) => (digitsLeft-- > 2 ? "*" : digit));
}
