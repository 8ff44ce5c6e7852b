// Every door into the dashboard, in one list. The access tests walk it (Vitest calls each server
// action, Playwright visits each page and route) and check against the filesystem that nothing
// under app/dashboard or app/api/dashboard is missing from it.

export const dashboardPages = [
  "/dashboard",
  "/dashboard/users",
  "/dashboard/users/[id]",
  "/dashboard/requests",
  "/dashboard/live",
  "/dashboard/calls",
  "/dashboard/calls/[id]",
  "/dashboard/webhooks",
  "/dashboard/audit",
  "/dashboard/alerts",
  "/dashboard/background",
] as const;

export const dashboardApiRoutes = [
  { path: "/api/dashboard/live-calls", query: "" },
  { path: "/api/dashboard/ledger.csv", query: "?from=2026-01-01&to=2026-01-31" },
] as const;

/** What an action needs to be called with valid input: real ids of a target user, a live call and two open credit requests. */
export type ActionTargets = {
  userId: string;
  suspendedUserId: string;
  callId: string;
  idempotencyKey: string;
  creditRequestToApprove: string;
  creditRequestToDecline: string;
};

export const dashboardActions = [
  {
    file: "app/dashboard/users/[id]/actions.ts",
    name: "adjustCreditsAction",
    input: (t: ActionTargets) => ({
      userId: t.userId,
      direction: "grant",
      credits: 10,
      reason: "access test",
      idempotencyKey: t.idempotencyKey,
    }),
  },
  {
    file: "app/dashboard/users/[id]/actions.ts",
    name: "suspendUserAction",
    input: (t: ActionTargets) => ({ userId: t.userId, reason: "access test" }),
  },
  {
    file: "app/dashboard/users/[id]/actions.ts",
    name: "unsuspendUserAction",
    input: (t: ActionTargets) => ({ userId: t.suspendedUserId, reason: "access test" }),
  },
  { file: "app/dashboard/live/actions.ts", name: "endCallAction", input: (t: ActionTargets) => ({ callId: t.callId }) },
  {
    file: "app/dashboard/requests/actions.ts",
    name: "approveCreditRequestAction",
    input: (t: ActionTargets) => ({ requestId: t.creditRequestToApprove, credits: 10, reason: "access test" }),
  },
  {
    file: "app/dashboard/requests/actions.ts",
    name: "declineCreditRequestAction",
    input: (t: ActionTargets) => ({ requestId: t.creditRequestToDecline, reason: "access test" }),
  },
] as const;

/** A concrete URL for a route pattern: any value will do for a dynamic segment, the guard runs first. */
export const samplePath = (pattern: string) => pattern.replace(/\[[^\]]+\]/g, "sample-id");
