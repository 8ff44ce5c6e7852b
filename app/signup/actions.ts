"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { SignInError, SignUpInput, createAccount } from "@/lib/auth/accounts";
import { hitRateLimit } from "@/lib/rate-limit";
import { clientIp } from "@/lib/http/client-ip";

export type SignUpResult = { ok: true } | { ok: false; error: string };

export async function signUp(raw: unknown): Promise<SignUpResult> {
  const parsed = SignUpInput.safeParse(raw);
  if (!parsed.success) return { ok: false, error: z.prettifyError(parsed.error).split("\n")[0].replace(/^✖ /, "") };
  const ip = clientIp(await headers());
  const limit = await hitRateLimit(db(), `sign-up:ip:${ip}`, 20, 3600);
  if (!limit.allowed) return { ok: false, error: "Too many accounts created from here. Try again later." };
  try {
    await createAccount(db(), parsed.data);
    return { ok: true };
  } catch (error) {
    if (error instanceof SignInError) return { ok: false, error: error.message };
    throw error;
  }
}
