// The production build in .next, started as `npm start` does (server.ts) against the Vapi it was not built for,
// refuses to start (instrumentation.ts). Skipped until `next build` has made a build that records
// its target: `npm run test:e2e` runs it again right after its build.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "@/lib/db/embedded-postgres";
import { REPO } from "./run-command";

const NEXT_DIR = path.join(REPO, ".next");
const TSX_BIN = path.join(REPO, "node_modules", ".bin", "tsx");

function recordedTarget(): string | undefined {
  if (!fs.existsSync(path.join(NEXT_DIR, "BUILD_ID"))) return undefined;
  const serverFiles = JSON.parse(fs.readFileSync(path.join(NEXT_DIR, "required-server-files.json"), "utf8"));
  return serverFiles.config?.env?.COACH_BUILT_FOR_VAPI;
}

type Outcome = { code: number | null; stderr: string };

/** `npm start` (server.ts) until it exits; asks it for a page meanwhile, in case it starts the app on demand. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<Outcome> {
  const port = await freePort();
  const child = spawn(TSX_BIN, ["server.ts"], {
    cwd: REPO,
    env: { ...env, PORT: String(port) },
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  let code: number | null | undefined;
  while (code === undefined && Date.now() < deadline) {
    await fetch(`http://localhost:${port}/api/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    code = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(resolve, 500))]);
  }
  if (code === undefined) process.kill(-child.pid!, "SIGKILL");
  return { code: code ?? null, stderr };
}

const builtFor = recordedTarget();

describe.skipIf(!builtFor)(`the production build (made for ${builtFor})`, () => {
  it("refuses to start against the other Vapi, with one line that names VAPI_API_URL", async () => {
    const otherVapi = builtFor === "emulator" ? "https://api.vapi.ai" : "http://localhost:4010";
    const outcome = await npmStart({
      ...process.env,
      NODE_ENV: "production",
      VAPI_API_URL: otherVapi,
      COACH_WORKERS: "off",
    });
    expect(outcome.code, outcome.stderr).toBe(1);
    const refusal = outcome.stderr.split("\n").filter((line) => line.includes("Cannot start"));
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toContain(`but VAPI_API_URL is ${otherVapi}`);
    expect(refusal[0]).toContain("Rebuild with this VAPI_API_URL");
  }, 90_000);
});
