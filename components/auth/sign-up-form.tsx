"use client";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { signUp } from "@/app/signup/actions";

export function SignUpForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(form: FormData) {
    setPending(true);
    setError(null);
    const input = { email: form.get("email"), name: form.get("name") || undefined, password: form.get("password") };
    const created = await signUp(input);
    if (!created.ok) {
      setPending(false);
      setError(created.error);
      return;
    }
    const result = await signIn("credentials", { email: input.email, password: input.password, redirect: false });
    if (result?.ok && !result.error) {
      router.replace("/coach");
      router.refresh();
    } else {
      setPending(false);
      setError("Your account was created, but signing in failed. Please sign in.");
    }
  }

  return (
    <form action={submit}>
      <label>
        Name (optional)
        <input name="name" autoComplete="name" maxLength={80} />
      </label>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="new-password" minLength={8} required />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </button>
      <p className="muted">
        Already have an account? <Link href="/signin">Sign in</Link>.
      </p>
    </form>
  );
}
