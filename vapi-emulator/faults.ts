import { z } from "zod";
import type { JsonObject } from "./assistant";

/**
 * Delivery faults. Each list holds message keys: a type (`status-update`) or, for status updates,
 * `type:status` (`status-update:in-progress`).
 */
export const faultsSchema = z.object({
  /** Never delivered; logged as `dropped`. */
  drop: z.array(z.string()).default([]),
  /** Delivered twice in a row, byte for byte. */
  duplicate: z.array(z.string()).default([]),
  /** Held back and delivered after the call's end-of-call-report. */
  deliverLast: z.array(z.string()).default([]),
  /** Delivered outside the call's ordered queue, this many ms after it was due: it arrives late. */
  delayTypes: z.record(z.string(), z.number().min(0)).default({}),
  /** Added before every delivery of the call, in order. */
  delayMs: z.number().min(0).default(0),
});

export type Faults = z.output<typeof faultsSchema>;

const NO_FAULTS: Faults = faultsSchema.parse({});

export function messageKeys(message: JsonObject): string[] {
  const type = String(message.type);
  return typeof message.status === "string" && type === "status-update" ? [type, `${type}:${message.status}`] : [type];
}

export function matchesKey(list: string[], message: JsonObject): boolean {
  return messageKeys(message).some((key) => list.includes(key));
}

export function delayFor(faults: Faults, message: JsonObject): number | undefined {
  const keys = messageKeys(message).reverse();
  for (const key of keys) if (faults.delayTypes[key] !== undefined) return faults.delayTypes[key];
  return undefined;
}

/** Global faults, and per-call faults that replace them for one call. */
export class FaultRegistry {
  private global: Faults = NO_FAULTS;
  private readonly perCall = new Map<string, Faults>();

  set(input: unknown, callId?: string): Faults {
    const faults = faultsSchema.parse(input);
    if (callId) this.perCall.set(callId, faults);
    else this.global = faults;
    return faults;
  }

  clear(callId?: string): void {
    if (callId) {
      this.perCall.delete(callId);
      return;
    }
    this.global = NO_FAULTS;
    this.perCall.clear();
  }

  forCall(callId: string): Faults {
    return this.perCall.get(callId) ?? this.global;
  }

  describe(): { global: Faults; perCall: Record<string, Faults> } {
    return { global: this.global, perCall: Object.fromEntries(this.perCall) };
  }
}
