import { z } from "zod";

/** A search param as Next.js hands it over: absent, one value, or repeated. Take the first; "" is absent. */
const param = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === "string" && first.trim() === "" ? undefined : first;
  }, schema);

const page = param(z.coerce.number().int().min(1).max(100_000).catch(1).default(1));
const isoDay = z.iso.date({ message: "Use a date like 2026-01-31." });
const id = z.string().trim().min(1).max(100);

export type RawSearchParams = Record<string, string | string[] | undefined>;

export const UserSearch = z.object({ q: param(z.string().trim().max(200).optional()), page });

export const LedgerPage = z.object({ page });

export const CallFilters = z.object({
  email: param(z.string().trim().max(200).optional()),
  /** A key of words.ts's endedByOf: who ended the call. */
  endedBy: param(z.string().trim().max(200).optional()),
  from: param(isoDay.optional().catch(undefined)),
  to: param(isoDay.optional().catch(undefined)),
  page,
});
export type CallFilters = z.infer<typeof CallFilters>;

export const WebhookFilters = z.object({
  outcome: param(z.enum(["ACCEPTED", "INVALID", "IGNORED", "unprocessed"]).optional().catch(undefined)),
  event: param(z.coerce.bigint().positive().optional().catch(undefined)),
  page,
});

export const ListPage = z.object({ page });

export const LedgerCsvRange = z
  .object({ from: isoDay, to: isoDay })
  .refine((r) => r.from <= r.to, { message: "The end date must not be before the start date.", path: ["to"] });

const reason = z.string().trim().min(3, "Give a reason (at least 3 characters).").max(500);
const credits = z.coerce
  .number()
  .int("Credits must be a whole number.")
  .positive("Credits must be more than 0.")
  .max(1_000_000);

export const AdjustCreditsInput = z.object({
  userId: id,
  direction: z.enum(["grant", "deduct"]),
  credits,
  reason,
  // Made when the form renders: a double submit carries the same key and is applied once.
  idempotencyKey: z.uuid(),
});
export type AdjustCreditsInput = z.infer<typeof AdjustCreditsInput>;

export const SuspensionInput = z.object({ userId: id, reason });
export type SuspensionInput = z.infer<typeof SuspensionInput>;

/** Approving grants `credits` (the amount asked for, unless the operator changes it). */
export const ApproveCreditRequestInput = z.object({ requestId: id, credits, reason });
export type ApproveCreditRequestInput = z.infer<typeof ApproveCreditRequestInput>;

export const DeclineCreditRequestInput = z.object({ requestId: id, reason });
export type DeclineCreditRequestInput = z.infer<typeof DeclineCreditRequestInput>;

export const EndCallInput = z.object({ callId: id });

export const RecordId = id;
