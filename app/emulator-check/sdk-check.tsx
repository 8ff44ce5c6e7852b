"use client";

import { useRef, useState } from "react";

type VapiClient = InstanceType<typeof import("@vapi-ai/web").default>;

type Seen = {
  callId: string | null;
  started: boolean;
  ended: boolean;
  volume: boolean;
  messages: string[];
  errors: string[];
};

const NOTHING_SEEN: Seen = { callId: null, started: false, ended: false, volume: false, messages: [], errors: [] };

function messageLabel(message: unknown): string {
  const { type, status } = (message ?? {}) as { type?: unknown; status?: unknown };
  return type === "status-update" ? `status-update:${String(status)}` : String(type);
}

function describeError(error: unknown): string {
  const { type, error: inner } = (error ?? {}) as { type?: unknown; error?: { message?: unknown } };
  return `${String(type ?? "error")}: ${String(inner?.message ?? JSON.stringify(error))}`;
}

/** Starts a call with the real SDK and lists the events it sees, for Playwright to read. */
export function SdkCheck({
  publicKey,
  apiUrl,
  assistantId,
}: {
  publicKey: string;
  apiUrl: string;
  assistantId: string;
}) {
  const vapiRef = useRef<VapiClient | null>(null);
  const volumeSeen = useRef(false);
  const [seen, setSeen] = useState<Seen>(NOTHING_SEEN);
  const update = (change: (current: Seen) => Partial<Seen>) =>
    setSeen((current) => ({ ...current, ...change(current) }));

  async function start() {
    setSeen(NOTHING_SEEN);
    volumeSeen.current = false;
    const { default: Vapi } = await import("@vapi-ai/web");
    const vapi = new Vapi(publicKey, apiUrl);
    vapiRef.current = vapi;
    vapi.on("call-start", () => update(() => ({ started: true })));
    vapi.on("call-end", () => update(() => ({ ended: true })));
    vapi.on("message", (message) => update((current) => ({ messages: [...current.messages, messageLabel(message)] })));
    vapi.on("volume-level", (level) => {
      if (level > 0 && !volumeSeen.current) {
        volumeSeen.current = true;
        update(() => ({ volume: true }));
      }
    });
    vapi.on("error", (error) => update((current) => ({ errors: [...current.errors, describeError(error)] })));
    const call = await vapi.start(assistantId);
    update(() => ({ callId: call?.id ?? null }));
  }

  async function stop() {
    await vapiRef.current?.stop();
  }

  const distinctMessages = [...new Set(seen.messages)];
  return (
    <section>
      <h1>Vapi emulator check</h1>
      <p className="muted">
        The real <code>@vapi-ai/web</code> SDK against {apiUrl}, assistant {assistantId}.
      </p>
      <p>
        <button type="button" data-testid="start" onClick={() => void start()}>
          Start call
        </button>{" "}
        <button type="button" data-testid="stop" onClick={() => void stop()}>
          Stop call
        </button>
      </p>
      <dl>
        <dt>Call id</dt>
        <dd data-testid="call-id">{seen.callId ?? ""}</dd>
        <dt>call-start</dt>
        <dd data-testid="call-start">{seen.started ? "yes" : "no"}</dd>
        <dt>volume-level above 0</dt>
        <dd data-testid="volume-level">{seen.volume ? "yes" : "no"}</dd>
        <dt>call-end</dt>
        <dd data-testid="call-end">{seen.ended ? "yes" : "no"}</dd>
        <dt>message events</dt>
        <dd data-testid="message-count">{seen.messages.length}</dd>
      </dl>
      <ul data-testid="message-types">
        {distinctMessages.map((label) => (
          <li key={label} data-testid="message-type">
            {label}
          </li>
        ))}
      </ul>
      <ul data-testid="errors">
        {seen.errors.map((error, index) => (
          <li key={index}>{error}</li>
        ))}
      </ul>
    </section>
  );
}
