import { forbidden, redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/dashboard");
  if (user.role !== "OPERATOR") forbidden();
  return (
    <section className="card">
      <h1>Credits dashboard</h1>
    </section>
  );
}
