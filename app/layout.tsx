import type { Metadata } from "next";
import Link from "next/link";
import { currentUser } from "@/lib/auth/session";
import { SignOutButton } from "@/components/sign-out-button";
import "./globals.css";

export const metadata: Metadata = {
  title: "Coach Call",
  description: "Talk to an AI voice coach, paid by the minute in credits.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            Coach Call
          </Link>
          <nav>
            {user ? (
              <>
                <Link href="/coach">Coach</Link>
                {user.role === "OPERATOR" && <Link href="/dashboard">Dashboard</Link>}
                <span className="muted">{user.email}</span>
                <SignOutButton />
              </>
            ) : (
              <>
                <Link href="/signin">Sign in</Link>
                <Link href="/signup">Sign up</Link>
              </>
            )}
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
