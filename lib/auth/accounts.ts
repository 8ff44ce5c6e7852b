import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { grantWelcomeCredits, signupCreditsFromEnv } from "@/lib/credits/welcome";
import { Prisma } from "@/lib/generated/prisma/client";
import { hitRateLimit, refundRateLimit, resetRateLimit } from "@/lib/rate-limit";
import { hashPassword, verifyPassword } from "./passwords";

export const Email = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address."));
export const SignUpInput = z.object({
  email: Email,
  name: z.string().trim().max(80).optional(),
  password: z.string().min(8, "Use at least 8 characters for your password.").max(200),
});
export const SignInInput = z.object({ email: Email, password: z.string().min(1).max(200) });

export type SessionUser = { id: string; email: string; name: string | null; role: "USER" | "OPERATOR" };

export class SignInError extends Error {}

/** A new account, with its welcome credits (`COACH_SIGNUP_CREDITS`) granted through the ledger. */
export async function createAccount(
  db: Db,
  input: z.infer<typeof SignUpInput>,
  welcomeCredits = signupCreditsFromEnv(),
): Promise<SessionUser> {
  let user: SessionUser;
  try {
    user = await db.user.create({
      data: { email: input.email, name: input.name || null, passwordHash: await hashPassword(input.password) },
      select: { id: true, email: true, name: true, role: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new SignInError("An account with this email already exists. Sign in instead.");
    }
    throw error;
  }
  await grantWelcomeCredits(db, user.id, welcomeCredits);
  return user;
}

// Failed attempts only: a person who types their password right is never throttled by it.
const FAILURES_PER_EMAIL = 5;
const FAILURES_PER_IP = 30;
const WINDOW_SECONDS = 300;

/**
 * Checks a password, throttled by failures per email and, more loosely, per IP address. Each
 * attempt is counted before the password is checked, so guesses sent at once cannot all slip
 * under the limit; a success takes its count back and clears the account's failures (not the
 * address's: signing in to an account of one's own must not reset a guesser's count).
 * Throws SignInError with words a person can act on.
 */
export async function signInWithPassword(db: Db, input: unknown, ip: string, now = new Date()): Promise<SessionUser> {
  const parsed = SignInInput.safeParse(input);
  if (!parsed.success) throw new SignInError("Enter your email and password.");
  const { email, password } = parsed.data;
  const emailKey = `sign-in-failures:email:${email}`;
  const [byEmail, byIp] = await Promise.all([
    hitRateLimit(db, emailKey, FAILURES_PER_EMAIL, WINDOW_SECONDS, now),
    hitRateLimit(db, `sign-in-failures:ip:${ip}`, FAILURES_PER_IP, WINDOW_SECONDS, now),
  ]);
  if (!byEmail.allowed || !byIp.allowed) {
    // Refused unchecked: neither a failure nor a success, so it counts for nothing.
    await Promise.all([refundRateLimit(db, byEmail), refundRateLimit(db, byIp)]);
    const wait = Math.max(byEmail.allowed ? 0 : byEmail.retryAfterSeconds, byIp.allowed ? 0 : byIp.retryAfterSeconds);
    throw new SignInError(`Too many failed sign-in attempts. Try again in ${Math.ceil(wait / 60)} minute(s).`);
  }
  const user = await db.user.findUnique({ where: { email } });
  if (!user || !(await verifyPassword(password, user.passwordHash))) throw new SignInError("Wrong email or password.");
  await Promise.all([resetRateLimit(db, emailKey), refundRateLimit(db, byIp)]);
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
