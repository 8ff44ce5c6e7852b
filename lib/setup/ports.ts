import net from "node:net";
import { SetupError } from "./errors";

/** A port from the environment (`PORT`, `VAPI_EMULATOR_PORT`), or the default. */
export function portFromEnv(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new SetupError(
      `${variable}=${raw} is not a port number (1-65535).`,
      `Set ${variable} to a free port, or unset it to use ${fallback}.`,
    );
  return port;
}

/** Fails with the port, the variable that moves it and how to see who holds it, before anything starts. */
export async function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  // Same address as Next and the emulator listen on (all interfaces), so the answer is theirs.
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = net.createServer();
    server.once("error", resolve);
    server.listen(port, () => server.close(() => resolve(undefined)));
  });
  if (!error) return;
  if (error.code !== "EADDRINUSE") throw error;
  throw new SetupError(
    `Port ${port} (${what}) is already in use: see what holds it with \`ss -ltnp 'sport = :${port}'\`.`,
    `Stop that, or use another port: ${variable}=${port + 1} npm run dev`,
  );
}
