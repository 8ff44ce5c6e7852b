import client from "prom-client";

// Prometheus metrics of this process. Next.js loads a module once per bundle (routes, the
// scheduler), so the registry and every metric live on globalThis: one set per process.
// Names follow Prometheus' guide: base units, _total for counters, few bounded labels.

function create() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    webhookRequests: new client.Counter({
      name: "coach_webhook_requests_total",
      help: "Vapi server messages received, by type and outcome",
      labelNames: ["type", "outcome"] as const,
      registers,
    }),
    webhookDuration: new client.Histogram({
      name: "coach_webhook_duration_seconds",
      help: "Time to answer a Vapi server message",
      labelNames: ["type"] as const,
      registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    unauthorizedCallsEnded: new client.Counter({
      name: "coach_unauthorized_calls_ended_total",
      help: "Calls without a valid start that were told to end",
      registers,
    }),
    unauthorizedCallSeconds: new client.Counter({
      name: "coach_unauthorized_call_seconds_total",
      help: "Seconds that unauthorized calls ran before they ended (leakage)",
      registers,
    }),
    cutoffLateness: new client.Histogram({
      name: "coach_cutoff_lateness_seconds",
      help: "How long after its cutoff a paid call was sent end-call",
      registers,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    }),
    endCallAttempts: new client.Counter({
      name: "coach_end_call_attempts_total",
      help: "end-call requests sent to control URLs, by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    endCallResends: new client.Counter({
      name: "coach_end_call_resends_total",
      help: "end-call requests sent again: the call had not ended when the last claim's lease lapsed (its sender may have died)",
      registers,
    }),
    reconcilerRuns: new client.Counter({
      name: "coach_reconciler_runs_total",
      help: "Reconciler passes over Vapi's call list, by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    startsRefused: new client.Counter({
      name: "coach_call_starts_refused_total",
      help: "Calls Vapi refused at their start (call.start.error-* and the like), by reason: lines-busy (its concurrency limit) or other",
      labelNames: ["reason"] as const,
      registers,
    }),
    vapiRestErrors: new client.Counter({
      name: "coach_vapi_rest_errors_total",
      help: "Failed Vapi REST requests, by HTTP status (or none)",
      labelNames: ["status"] as const,
      registers,
    }),
  };
}

type Metrics = ReturnType<typeof create>;

export const metrics: Metrics = ((globalThis as { coachMetrics?: Metrics }).coachMetrics ??= create());

/** Gauges read from the database at scrape time: they are facts about all instances, not this one. */
export type DatabaseFacts = {
  available: number;
  held: number;
  /** Rows the background loops work through (webhook messages, tamper checks), by state. */
  jobs: Record<string, number>;
  /** graphile-worker's jobs, by task and state. */
  queue: Record<string, Record<string, number>>;
  reconcilerLagSeconds: number | null;
};

export function registerDatabaseGauges(read: () => Promise<DatabaseFacts>) {
  const g = globalThis as { coachDbGauges?: boolean };
  if (g.coachDbGauges) return;
  g.coachDbGauges = true;
  let last: Promise<DatabaseFacts> | undefined;
  // One read per scrape, shared by the gauges below.
  const current = () => (last ??= read().finally(() => setTimeout(() => (last = undefined), 0)));
  const registers = [metrics.registry];
  new client.Gauge({
    name: "coach_credits_available",
    help: "Credits available across all accounts",
    registers,
    async collect() {
      this.set((await current()).available);
    },
  });
  new client.Gauge({
    name: "coach_credits_held",
    help: "Credits held by reservations across all accounts",
    registers,
    async collect() {
      this.set((await current()).held);
    },
  });
  new client.Gauge({
    name: "coach_reconciler_lag_seconds",
    help: "Seconds since any process last read Vapi's call list (absent when it never has)",
    registers,
    async collect() {
      const lag = (await current()).reconcilerLagSeconds;
      if (lag === null) this.reset();
      else this.set(lag);
    },
  });
  new client.Gauge({
    name: "coach_background_jobs",
    help: "Background work by state",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      this.reset();
      for (const [state, count] of Object.entries((await current()).jobs)) this.set({ state }, count);
    },
  });
  new client.Gauge({
    name: "coach_queue_jobs",
    help: "Jobs in the job queue (graphile-worker), by task and state: waiting, retrying, running, failed",
    labelNames: ["task", "state"] as const,
    registers,
    async collect() {
      this.reset();
      for (const [task, states] of Object.entries((await current()).queue)) {
        for (const [state, count] of Object.entries(states)) this.set({ task, state }, count);
      }
    },
  });
}
