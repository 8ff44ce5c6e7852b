import type { ActionResult } from "@/lib/auth/validated-action";

export type Shown = { ok: boolean; text: string } | null;

/** An action's refusal in plain words, with the field errors zod found. */
export function refusalText(result: Extract<ActionResult<unknown>, { ok: false }>): string {
  const fields = Object.entries(result.fieldErrors ?? {}).map(([field, errors]) => `${field}: ${errors[0]}`);
  return fields.length ? fields.join(" ") : result.error;
}

export function ActionMessage({ shown }: { shown: Shown }) {
  if (!shown) return null;
  return shown.ok ? (
    <p role="status" className="success">
      {shown.text}
    </p>
  ) : (
    <p role="alert" className="error">
      {shown.text}
    </p>
  );
}
