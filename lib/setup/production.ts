import { ZodError } from "zod";
import { appConfig } from "@/lib/config";
import { assertMigrated } from "./database";
import { SetupError } from "./errors";

type Env = Record<string, string | undefined>;

// NEXTAUTH_SECRET signs and encrypts sessions: as long as `openssl rand -base64 32` makes one.
const MIN_LENGTH = { NEXTAUTH_SECRET: 32, START_TOKEN_SECRET: 16 };

/** What the production server would fail on, one phrase each. */
export function settingsProblems(env: Env): string[] {
  const problems: string[] = [];
  for (const [name, min] of Object.entries(MIN_LENGTH)) {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    else if (value.length < min) problems.push(`${name} is shorter than ${min} characters`);
  }
  if (!env.DATABASE_URL) problems.push("DATABASE_URL is not set");
  try {
    appConfig({ ...env });
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    for (const issue of error.issues) {
      const name = String(issue.path[0]);
      if (name in MIN_LENGTH) continue;
      problems.push(env[name] === undefined ? `${name} is not set` : `${name}: ${issue.message}`);
    }
  }
  return problems;
}

/** Run before `npm start`: the settings, then the database (reachable, every migration applied). */
export async function checkProduction(env: Env) {
  const problems = settingsProblems(env);
  if (problems.length) {
    throw new SetupError(
      `Cannot start in production: ${problems.join("; ")}.`,
      'Set them in the environment or in .env.production.local (`openssl rand -base64 32` makes a secret); README: "Pointing the app at a real Vapi account".',
    );
  }
  await assertMigrated(env.DATABASE_URL as string);
}
