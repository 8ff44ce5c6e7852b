import { execFile } from "node:child_process";
import path from "node:path";

export const REPO = path.resolve(import.meta.dirname, "..", "..");
export const TSX = path.join(REPO, "node_modules", ".bin", "tsx");

export type Outcome = { code: number; stdout: string; stderr: string };

/** Runs a command to its end (for tests of what a user sees); never rejects. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; uid?: number; gid?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? REPO,
        env: (options.env ?? process.env) as NodeJS.ProcessEnv,
        uid: options.uid,
        gid: options.gid,
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** One or two lines, and no stack trace. */
export function isShortMessage(text: string): boolean {
  const lines = text.trim().split("\n");
  return lines.length <= 2 && !/^\s+at /m.test(text);
}
