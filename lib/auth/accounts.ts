import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { hitRateLimit } from "@/lib/rate-limit";
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

export async function createAccount(db: Db, input: z.infer<typeof SignUpInput>): Promise<SessionUser> {
  try {
    return await db.user.create({
      data: { email: input.email, name: input.name || null, passwordHash: await hashPassword(input.password) },
      select: { id: true, email: true, name: true, role: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new SignInError("An account with this email already exists. Sign in instead.");
    }
    throw error;
  }
}

const ATTEMPTS_PER_EMAIL = 5;
const ATTEMPTS_PER_IP = 30;
const WINDOW_SECONDS = 300;

/** Checks a password, throttled per email and per IP address. Throws SignInError with words a person can act on. */
export async function signInWithPassword(db: Db, input: unknown, ip: string): Promise<SessionUser> {
  const parsed = SignInInput.safeParse(input);
  if (!parsed.success) throw new SignInError("Enter your email and password.");
  const { email, password } = parsed.data;
  const [byEmail, byIp] = await Promise.all([
    hitRateLimit(db, `sign-in:email:${email}`, ATTEMPTS_PER_EMAIL, WINDOW_SECONDS),
    hitRateLimit(db, `sign-in:ip:${ip}`, ATTEMPTS_PER_IP, WINDOW_SECONDS),
  ]);
  if (!byEmail.allowed || !byIp.allowed) {
    const wait = Math.max(byEmail.retryAfterSeconds, byIp.retryAfterSeconds);
    throw new SignInError(`Too many sign-in attempts. Try again in ${Math.ceil(wait / 60)} minute(s).`);
  }
  const user = await db.user.findUnique({ where: { email } });
  if (!user || !(await verifyPassword(password, user.passwordHash))) throw new SignInError("Wrong email or password.");
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
