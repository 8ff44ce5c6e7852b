// `npm run sim -- --runs N [--seed=S --path=P --replay-path=R] [--max-commands C] [--shrink-seconds T]`: the
// simulator of test/sim/ on its own embedded PostgreSQL. Prints the runs, the faults injected by
// kind and the time; on failure, the seed and path that replay it exactly (and exits 1).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { register } from "node:module";
import { parseArgs } from "node:util";

// next-auth's providers are CommonJS modules marked __esModule: Node's ESM import hands over their
// exports object as the default, where Next and Vitest unwrap `.default`. The operator actions the
// simulator drives import them (lib/dashboard → lib/auth/session), so unwrap them here the same way.
const unwrapNextAuthProviders = `
export async function load(url, context, next) {
  if (!/\\/node_modules\\/next-auth\\/providers\\/[^/]+\\.js$/.test(url)) return next(url, context);
  const source = "import { createRequire } from 'node:module';"
    + "const m = createRequire(" + JSON.stringify(url) + ")(" + JSON.stringify(new URL(url).pathname) + ");"
    + "export default m.default ?? m;";
  return { format: "module", source, shortCircuit: true };
}`;
register(`data:text/javascript,${encodeURIComponent(unwrapNextAuthProviders)}`);

process.env.LOG_LEVEL ??= "silent";
const { startEmbeddedPostgres } = await import("@/lib/db/embedded-postgres");
const { applyMigrations, ensureDatabase } = await import("@/lib/db/migrate");
const { formatResult, openSimEnv, simulate } = await import("@/test/sim/simulation");

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "100" },
    seed: { type: "string" },
    path: { type: "string" },
    "replay-path": { type: "string" },
    "max-commands": { type: "string" },
    "shrink-seconds": { type: "string", default: "120" },
  },
});
const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** A line on stderr every 30 s: runs passed, and the time left at the pace so far. */
function progress(total: number) {
  const started = Date.now();
  let lastAt = started;
  return (done: number) => {
    const now = Date.now();
    if (now - lastAt < 30_000 || done === total) return;
    lastAt = now;
    const left = ((now - started) / done) * (total - done);
    process.stderr.write(
      `sim: ${done} of ${total} runs passed in ${minutes(now - started)}, about ${minutes(left)} left\n`,
    );
  };
}
const minutes = (ms: number) => `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "coach-sim-pg-"));
const server = await startEmbeddedPostgres({ dataDir, persistent: false });
let exitCode = 1;
try {
  const url = server.url("coach_sim");
  await ensureDatabase(url);
  await applyMigrations(url);
  const env = await openSimEnv(url);
  try {
    const runs = number(args.runs)!;
    const result = await simulate(env, {
      runs,
      seed: number(args.seed),
      path: args.path,
      replayPath: args["replay-path"],
      maxCommands: number(args["max-commands"]),
      shrinkSeconds: number(args["shrink-seconds"]),
      onRunPassed: progress(runs),
    });
    console.log(
      formatResult(
        result,
        (replay) => `npm run sim -- ${replay}${args["max-commands"] ? ` --max-commands=${args["max-commands"]}` : ""}`,
      ),
    );
    exitCode = result.ok ? 0 : 1;
  } finally {
    await env.close();
  }
} finally {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
