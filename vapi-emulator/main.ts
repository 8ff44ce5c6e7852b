import { configFromEnv, DEFAULT_ACCOUNT } from "./config";
import { startVapiEmulator } from "./server";

const port = Number(process.env.VAPI_EMULATOR_PORT ?? DEFAULT_ACCOUNT.port);
const emulator = await startVapiEmulator({ ...configFromEnv(process.env), port });
console.log(`Vapi emulator listening at ${emulator.url} (admin API: ${emulator.url}/__emulator/calls)`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`Vapi emulator: ${signal}, shutting down`);
  await emulator.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
