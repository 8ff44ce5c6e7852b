import { LiveCallsPanel } from "@/components/dashboard/live-calls-panel";
import { db } from "@/lib/db/client";
import { operatorForPage } from "@/lib/dashboard/access";
import { listLiveCalls } from "@/lib/dashboard/live-calls";
import { endCallAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function LiveCallsPage() {
  const viewer = await operatorForPage("/dashboard/live");
  const snapshot = await listLiveCalls(db(), viewer, new Date());
  return (
    <>
      <h1>Live calls</h1>
      <p className="muted">Refreshes every 2 seconds. Remaining time is until the call&apos;s cutoff.</p>
      <LiveCallsPanel initial={snapshot} endCall={endCallAction} />
    </>
  );
}
