import { DashboardNav } from "@/components/dashboard/dashboard-nav";
import { operatorForPage } from "@/lib/dashboard/access";

export const dynamic = "force-dynamic";

// The layout refuses on its own, but each page checks again: a layout is not re-run on every
// client navigation, and a page must never rely on a check it cannot see.
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  await operatorForPage("/dashboard");
  return (
    <div className="dash">
      <DashboardNav />
      {children}
    </div>
  );
}
