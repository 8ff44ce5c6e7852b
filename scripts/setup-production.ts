// Runs before `npm start` (prestart): a production server missing a secret or its database says so
// here, in two lines, instead of failing on its first request.
import nextEnv from "@next/env";
import { exitOnSetupError } from "@/lib/setup/errors";
import { checkProduction } from "@/lib/setup/production";

// The same .env files `next start` reads.
nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
await checkProduction(process.env).catch(exitOnSetupError);
