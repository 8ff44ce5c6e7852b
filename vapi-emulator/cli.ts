// `npm run vapi -- <command>`: drives a running emulator through its admin API, in the spirit of
// the Stripe CLI. Talks to VAPI_API_URL with VAPI_PRIVATE_KEY, by default to the emulator that
// `npm run dev` starts, with the same key.
import { parseArgs } from "node:util";
import { printCall, printCalls, printDeliveries, printJson } from "./cli-format";
import { DEFAULT_ACCOUNT } from "./config";

const HELP = `Usage: npm run vapi -- <command> [options]

Commands
  calls                                   list calls
  call <id>                               one call: record, live state, deliveries, control log
  trigger <message-type> --call <id>      send one server message now and show the receiver's answer
          [--tool <name>] [--args '<json>'] [--force]
  join <id>                               a simulated customer joins (no browser)
  hangup <id>                             the customer hangs up (customer-ended-call)
  end <id> [--reason <endedReason>]       end the call (default manually-canceled)
  attack [--overrides '<json>'] [--origin <origin>] [--key public|<jwt>|<any>] [--no-join]
                                          create a call through POST /call/web as a browser would, and join it
  deliveries [--call <id>]                the delivery log
  faults ['<json>'] [--call <id>] [--clear]
                                          show, set or clear delivery faults (see README)
  reset                                   forget all calls, deliveries and faults

Options
  --json                                  print raw JSON
Environment
  VAPI_API_URL (default http://localhost:VAPI_EMULATOR_PORT, ${DEFAULT_ACCOUNT.port} unless set), VAPI_PRIVATE_KEY (default ${DEFAULT_ACCOUNT.privateKey}):
  the same defaults as npm run dev`;

const apiUrl = (
  process.env.VAPI_API_URL ?? `http://localhost:${process.env.VAPI_EMULATOR_PORT ?? DEFAULT_ACCOUNT.port}`
).replace(/\/+$/, "");
const privateKey = process.env.VAPI_PRIVATE_KEY ?? DEFAULT_ACCOUNT.privateKey;

class CliError extends Error {}

async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/__emulator${path}`, {
      method,
      headers: {
        authorization: `Bearer ${privateKey}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new CliError(`Cannot reach the Vapi emulator at ${apiUrl}. Is it running? (set VAPI_API_URL)`);
  }
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const message = (parsed as { message?: unknown } | undefined)?.message ?? text;
    const hint = response.status === 401 ? " (check VAPI_PRIVATE_KEY)" : "";
    throw new CliError(`${method} ${path} failed: ${response.status} ${JSON.stringify(message)}${hint}`);
  }
  return parsed;
}

function json(text: string | undefined, flag: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${flag} is not valid JSON: ${text}`);
  }
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new CliError(`Missing ${what}. Run \`npm run vapi -- help\`.`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      call: { type: "string" },
      tool: { type: "string" },
      args: { type: "string" },
      force: { type: "boolean" },
      reason: { type: "string" },
      overrides: { type: "string" },
      origin: { type: "string" },
      key: { type: "string" },
      "no-join": { type: "boolean" },
      clear: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, argument] = positionals;
  const raw = values.json === true;
  if (!command || command === "help" || values.help) return console.log(HELP);

  switch (command) {
    case "calls":
      return printCalls(await admin("GET", "/calls"), raw);
    case "call":
      return printCall(await admin("GET", `/calls/${need(argument, "<id>")}`), raw);
    case "trigger": {
      const body = {
        type: need(argument, "<message-type>"),
        tool: values.tool,
        arguments: json(values.args, "--args"),
        force: values.force,
      };
      return printJson(await admin("POST", `/calls/${need(values.call, "--call <id>")}/trigger`, body));
    }
    case "join":
    case "hangup":
      return report(await admin("POST", `/calls/${need(argument, "<id>")}/${command}`), raw);
    case "end":
      return report(
        await admin(
          "POST",
          `/calls/${need(argument, "<id>")}/end`,
          values.reason ? { endedReason: values.reason } : {},
        ),
        raw,
      );
    case "attack": {
      const body = {
        overrides: json(values.overrides, "--overrides"),
        origin: values.origin,
        key: values.key,
        join: !values["no-join"],
      };
      return printJson(await admin("POST", "/attack", body));
    }
    case "deliveries":
      return printDeliveries(
        await admin("GET", `/deliveries${values.call ? `?callId=${encodeURIComponent(values.call)}` : ""}`),
        raw,
      );
    case "faults": {
      if (values.clear)
        return printJson(
          await admin("DELETE", `/faults${values.call ? `?callId=${encodeURIComponent(values.call)}` : ""}`),
        );
      if (!argument) return printJson(await admin("GET", "/faults"));
      const faults = json(argument, "faults") as Record<string, unknown>;
      return printJson(await admin("POST", "/faults", { ...faults, ...(values.call ? { callId: values.call } : {}) }));
    }
    case "reset":
      return printJson(await admin("POST", "/reset"));
    default:
      throw new CliError(`Unknown command "${command}". Run \`npm run vapi -- help\`.`);
  }
}

function report(record: unknown, raw: boolean): void {
  if (raw) return printJson(record);
  const call = record as Record<string, unknown>;
  console.log(`${call.id}: ${call.status}${call.endedReason ? ` (${call.endedReason})` : ""}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
