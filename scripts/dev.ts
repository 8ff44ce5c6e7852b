// `npm run dev`: the whole app on http://localhost:3000 with PostgreSQL and the Vapi emulator embedded.
import { randomBytes } from "node:crypto";
import { assertDataFolderFree, clusterDir } from "@/lib/db/embedded-postgres";
import { exitOnSetupError } from "@/lib/setup/errors";
import { assertPortFree, portFromEnv } from "@/lib/setup/ports";
import { isRealVapi } from "@/lib/setup/vapi-target";
import { DEFAULT_ACCOUNT } from "@/vapi-emulator/config";

const devSecret = (name: string) => process.env[name] ?? `dev-${name.toLowerCase()}-${randomBytes(4).toString("hex")}`;
const stable = (name: string, value: string) => process.env[name] ?? value;
const DATA_DIR = "data/pg";

async function main() {
  // Checked before anything starts, so a second `npm run dev` hears about the first one.
  if (!process.env.DATABASE_URL) assertDataFolderFree(clusterDir(DATA_DIR));
  const appPort = portFromEnv("PORT", 3000);
  const emulatorPort = portFromEnv("VAPI_EMULATOR_PORT", DEFAULT_ACCOUNT.port);
  await assertPortFree(appPort, "Next.js", "PORT");
  if (!isRealVapi(process.env.VAPI_API_URL))
    await assertPortFree(emulatorPort, "the Vapi emulator", "VAPI_EMULATOR_PORT");
  // Loaded after the checks: Prisma, the emulator and the rest take a while to import.
  const { startStack, stopOnSignals } = await import("./stack");
  const { DEMO_OPERATOR, DEMO_USER } = await import("./seed-demo");
  const stack = await startStack({
    next: "dev",
    appPort,
    emulatorPort,
    dataDir: DATA_DIR,
    persistentData: true,
    env: {
      NEXTAUTH_SECRET: stable("NEXTAUTH_SECRET", "dev-only-nextauth-secret-change-me"),
      START_TOKEN_SECRET: devSecret("START_TOKEN_SECRET"),
      // The emulator's own defaults, which `npm run vapi` also uses.
      VAPI_ORG_ID: stable("VAPI_ORG_ID", DEFAULT_ACCOUNT.orgId),
      VAPI_PUBLIC_KEY: stable("VAPI_PUBLIC_KEY", DEFAULT_ACCOUNT.publicKey),
      VAPI_PRIVATE_KEY: stable("VAPI_PRIVATE_KEY", DEFAULT_ACCOUNT.privateKey),
      VAPI_ASSISTANT_ID: stable("VAPI_ASSISTANT_ID", "coach-assistant"),
      VAPI_WEBHOOK_AUTH: stable("VAPI_WEBHOOK_AUTH", "hmac"),
      VAPI_WEBHOOK_SECRET: devSecret("VAPI_WEBHOOK_SECRET"),
    },
  });
  stopOnSignals(stack);
  console.log(
    `\nCoach Call: ${stack.env.APP_URL}\n  user:     ${DEMO_USER.email} / ${DEMO_USER.password}\n  operator: ${DEMO_OPERATOR.email} / ${DEMO_OPERATOR.password}\n`,
  );
}

await main().catch(exitOnSetupError);
