/** A setup problem the user can fix: shown as one or two lines (what is wrong, what to do), no stack. */
export class SetupError extends Error {
  constructor(problem: string, fix?: string) {
    super(fix ? `${problem}\n${fix}` : problem);
    this.name = "SetupError";
  }
}

type ListenError = NodeJS.ErrnoException & { port?: number };

/** A server that lost the race for its port after the checks in lib/setup/ports.ts. */
function busyPort(error: unknown): SetupError | undefined {
  const e = error as ListenError;
  if (e?.code !== "EADDRINUSE" || !e.port) return undefined;
  return new SetupError(
    `Port ${e.port} is already in use.`,
    `See what holds it with \`ss -ltnp 'sport = :${e.port}'\`, stop it, and run the command again.`,
  );
}

/**
 * For a script's top level (`main().catch(exitOnSetupError)`): a setup problem is printed and the
 * process exits 1; anything else is a bug and is rethrown with its stack.
 */
export function exitOnSetupError(error: unknown): never {
  const setup = error instanceof SetupError ? error : busyPort(error);
  if (!setup) throw error;
  console.error(setup.message);
  process.exit(1);
}
