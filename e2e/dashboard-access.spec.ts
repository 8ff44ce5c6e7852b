import { randomUUID } from "node:crypto";
import { dashboardRoutesOnDisk } from "@/lib/dashboard/endpoint-files";
import { dashboardApiRoutes, dashboardPages, samplePath } from "@/lib/dashboard/protected-endpoints";
import { test, expect } from "./support/fixtures";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("the list of protected endpoints names every dashboard page and route on disk", () => {
  const onDisk = dashboardRoutesOnDisk();
  expect(onDisk.pages).toEqual([...dashboardPages].sort());
  expect(onDisk.apiRoutes).toEqual(dashboardApiRoutes.map((r) => r.path).sort());
});

test("a signed-out visitor is sent to sign in from every dashboard page, and gets 401 from every route", async ({
  page,
  request,
}) => {
  for (const pattern of dashboardPages) {
    const path = samplePath(pattern);
    await test.step(path, async () => {
      await page.goto(path);
      await expect(page).toHaveURL(new RegExp(`/signin\\?callbackUrl=${escapeRegExp(encodeURIComponent(path))}$`));
    });
  }
  for (const route of dashboardApiRoutes) {
    const response = await request.get(route.path + route.query, { maxRedirects: 0 });
    expect(response.status(), route.path).toBe(401);
  }
});

test("a plain user gets 403 from every dashboard page and route", async ({ page, makeUser, signIn }) => {
  await signIn(page, await makeUser({ credits: 10 }));
  for (const pattern of dashboardPages) {
    const response = await page.goto(samplePath(pattern));
    expect(response?.status(), pattern).toBe(403);
  }
  for (const route of dashboardApiRoutes) {
    const response = await page.request.get(route.path + route.query, { maxRedirects: 0 });
    expect(response.status(), route.path).toBe(403);
  }
});

test("an operator opens every dashboard page and route", async ({ page, db, makeUser, signIn }) => {
  const user = await makeUser({ credits: 10 });
  const call = await db.call.create({
    data: { vapiCallId: `vapi-e2e-${randomUUID()}`, userId: user.id, status: "UNAUTHORIZED", usedSeconds: 12 },
  });
  await signIn(page, await makeUser({ role: "OPERATOR" }));
  for (const pattern of dashboardPages) {
    const path = pattern.replace("/users/[id]", `/users/${user.id}`).replace("/calls/[id]", `/calls/${call.id}`);
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
  }
  for (const route of dashboardApiRoutes) {
    const response = await page.request.get(route.path + route.query);
    expect(response.status(), route.path).toBe(200);
  }
});
