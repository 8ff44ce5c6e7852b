import Link from "next/link";
import { Pager } from "@/components/dashboard/pager";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { UserSearch, type RawSearchParams } from "@/lib/dashboard/schemas";
import { searchUsers } from "@/lib/dashboard/users";
import { When } from "@/components/dashboard/when";

export const dynamic = "force-dynamic";

export default async function UsersPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const viewer = await operatorForPage("/dashboard/users");
  const { q, page } = UserSearch.parse(await searchParams);
  const { users, pageInfo } = await searchUsers(db(), viewer, { q, page });
  return (
    <>
      <h1>Users</h1>
      <form className="dash-filters" method="get">
        <label>
          Email or name
          <input name="q" type="search" defaultValue={q ?? ""} maxLength={200} />
        </label>
        <button type="submit">Search</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>Email</th>
            <th>Name</th>
            <th>Available</th>
            <th>Held</th>
            <th>Last call</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>
                <Link href={`/dashboard/users/${u.id}`}>{u.email}</Link>
              </td>
              <td>{u.name ?? <span className="muted">—</span>}</td>
              <td>{u.available}</td>
              <td>{u.held}</td>
              <td>
                <When at={u.lastCallAt} />
              </td>
              <td>
                {u.suspendedAt ? (
                  <span className="pill dash-bad">suspended</span>
                ) : (
                  <span className="pill">active</span>
                )}
                {u.role === "OPERATOR" && (
                  <>
                    {" "}
                    <span className="pill">operator</span>
                  </>
                )}
              </td>
            </tr>
          ))}
          {users.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No users match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager info={pageInfo} basePath="/dashboard/users" params={{ q }} />
    </>
  );
}
