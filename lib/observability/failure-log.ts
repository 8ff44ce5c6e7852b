import { log } from "./log";

/**
 * Logs a repeated failure once per change of state: when something starts failing, and when it
 * recovers (with how many times it failed), not on every tick in between.
 */
export function failureLog(what: string, fields: Record<string, unknown> = {}) {
  let failures = 0;
  return {
    failed(error: unknown) {
      if (failures++ === 0) log.error({ ...fields, err: error }, `${what} failed; retrying quietly until it recovers`);
    },
    succeeded() {
      if (failures > 0) log.info({ ...fields, failures }, `${what} recovered after ${failures} failure(s)`);
      failures = 0;
    },
  };
}
