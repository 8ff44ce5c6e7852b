import { randomBytes } from "node:crypto";

/** UUIDv7: time-ordered like the `019a…` ids Vapi issues since late 2025. */
export function timeOrderedId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ROOM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A Daily-style room name such as `Qm7pX2sLkT9vB4nR8cWz`. */
export function roomName(): string {
  return Array.from(randomBytes(20), (byte) => ROOM_ALPHABET[byte % ROOM_ALPHABET.length]).join("");
}
