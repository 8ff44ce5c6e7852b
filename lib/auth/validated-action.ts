import { z } from "zod";
import { LedgerError } from "@/lib/credits/errors";
import { AccessDenied } from "./roles";
import { requireOperator, requireUser, type CurrentUser } from "./session";

export type ActionResult<T> =
  { ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string[]> };

/** Refusals a person can act on; their message is shown as is. Anything else is logged and hidden. */
export class UserFacingError extends Error {}

function failure(error: unknown): ActionResult<never> {
  if (error instanceof AccessDenied || error instanceof UserFacingError || error instanceof LedgerError) {
    return { ok: false, error: error.message };
  }
  console.error(error);
  return { ok: false, error: "Something went wrong on our side. Please try again." };
}

/**
 * Every server action is a public endpoint: parse the input with zod, check who is asking (and
 * their role) before anything runs, and return plain-word errors instead of throwing.
 */
function guarded<S extends z.ZodType, T>(
  who: () => Promise<CurrentUser>,
  schema: S,
  run: (input: z.infer<S>, user: CurrentUser) => Promise<T>,
) {
  return async (raw: unknown): Promise<ActionResult<T>> => {
    try {
      const user = await who();
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const flat = z.flattenError(parsed.error);
        return {
          ok: false,
          error: flat.formErrors[0] ?? "Please check the highlighted fields.",
          fieldErrors: flat.fieldErrors as Record<string, string[]>,
        };
      }
      return { ok: true, data: await run(parsed.data, user) };
    } catch (error) {
      return failure(error);
    }
  };
}

export const userAction = <S extends z.ZodType, T>(
  schema: S,
  run: (input: z.infer<S>, user: CurrentUser) => Promise<T>,
) => guarded(requireUser, schema, run);

export const operatorAction = <S extends z.ZodType, T>(
  schema: S,
  run: (input: z.infer<S>, user: CurrentUser) => Promise<T>,
) => guarded(requireOperator, schema, run);
