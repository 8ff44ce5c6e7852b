import { appUrl, e2eEnv } from "./support/env";
import { test, expect } from "./support/fixtures";
import { emulator, eventually } from "./support/emulator";

// What an operator watches from outside: health, readiness and Prometheus metrics.

/** The scrape, as `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${appUrl}/api/metrics`, {
    headers: { authorization: `Bearer ${e2eEnv.METRICS_TOKEN}` },
  });
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return samples;
}
const moved = (before: Map<string, number>, after: Map<string, number>, sample: string) =>
  (after.get(sample) ?? 0) - (before.get(sample) ?? 0);

test("health answers without the database; readiness says the stack can serve", async () => {
  expect((await fetch(`${appUrl}/api/health`)).status).toBe(200);
  const ready = await eventually(
    async () => {
      const response = await fetch(`${appUrl}/api/ready`);
      return response.status === 200 ? response.json() : undefined;
    },
    15_000,
    500,
  );
  expect(ready).toEqual({ ready: true, reasons: [] });
});

test("metrics need the token", async () => {
  expect((await fetch(`${appUrl}/api/metrics`)).status).toBe(401);
  expect((await fetch(`${appUrl}/api/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
});

test("metrics move by the right amounts for a paid call cut off at its cutoff and an unauthorized call", async ({
  page,
  db,
  makeUser,
  signIn,
}) => {
  const before = await scrape();
  // 6 s of call: too short for a warning or a goodbye, so end-call goes out at the cutoff itself.
  const user = await makeUser({ credits: 6 });
  await signIn(page, user);
  await page.goto("/coach");
  await page.getByRole("button", { name: "Talk to coach" }).click();
  await expect(page.getByTestId("call-summary")).toBeVisible({ timeout: 40_000 });
  const attack = await emulator.attack({});
  await eventually(
    async () =>
      (await db.call.findFirst({ where: { vapiCallId: attack.call!.id, settledAt: { not: null } } })) ?? undefined,
    20_000,
    250,
  );
  await eventually(
    async () => (await db.call.findFirst({ where: { userId: user.id, settledAt: { not: null } } })) ?? undefined,
    20_000,
    250,
  );

  const after = await scrape();
  expect(moved(before, after, "coach_cutoff_lateness_seconds_count")).toBe(1);
  expect(moved(before, after, 'coach_end_call_attempts_total{outcome="ok"}')).toBeGreaterThanOrEqual(1);
  expect(moved(before, after, "coach_unauthorized_calls_ended_total")).toBe(1);
  expect(moved(before, after, "coach_unauthorized_call_seconds_total")).toBeGreaterThanOrEqual(1);
  expect(moved(before, after, 'coach_webhook_requests_total{type="end-of-call-report",outcome="accepted"}')).toBe(2);
  expect(
    moved(before, after, 'coach_webhook_requests_total{type="status-update",outcome="accepted"}'),
  ).toBeGreaterThanOrEqual(4);
  expect(after.get("coach_credits_held")).toBeGreaterThanOrEqual(0);
  expect(after.has("process_cpu_seconds_total")).toBe(true);
});
