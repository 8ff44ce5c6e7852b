import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export default async function CoachPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/coach");
  return (
    <section className="card">
      <h1>Your coach</h1>
      <p>Balance: <strong data-testid="balance">{user.available}</strong> credits</p>
      <button disabled>Talk to coach</button>
    </section>
  );
}
