import Link from "next/link";

const LINKS = [
  { href: "/dashboard", label: "Overview" },
  { href: "/dashboard/users", label: "Users" },
  { href: "/dashboard/requests", label: "Credit requests" },
  { href: "/dashboard/live", label: "Live calls" },
  { href: "/dashboard/calls", label: "Calls" },
  { href: "/dashboard/webhooks", label: "Webhooks" },
  { href: "/dashboard/alerts", label: "Alerts" },
  { href: "/dashboard/background", label: "Background work" },
  { href: "/dashboard/audit", label: "Audit" },
];

export function DashboardNav() {
  return (
    <nav className="dash-nav" aria-label="Dashboard">
      {LINKS.map((l) => (
        <Link key={l.href} href={l.href}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
