"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type VapiType from "@vapi-ai/web";
import { cancelCoachCall, getCoachCallState, startCoachCall } from "@/app/coach/actions";
import type { CoachCallState } from "@/lib/calls/call-state";

export type Line = { role: "assistant" | "user"; text: string };

export type CoachCallView =
  | { step: "idle" }
  | { step: "starting"; stage: string }
  | {
      step: "live";
      volume: number;
      lines: Line[];
      secondsLeft: number | null;
      heldCredits: number;
      warning: string | null;
    }
  | { step: "ending"; lines: Line[]; reason: "you" | "server" | "connection" }
  | { step: "summary"; state: CoachCallState; lines: Line[]; connectionLost: boolean }
  | { step: "failed"; problem: "microphone" | "refused" | "busy" | "start"; message: string };

/** What the page says when Vapi refused the call because its concurrency limit was reached. */
const LINES_BUSY_MESSAGE = "All lines are busy — try again in a minute. No credits were used.";

const STAGES: Record<string, string> = {
  initialization: "Getting ready…",
  "web-call-creation": "Creating the call…",
  "daily-call-object-creation": "Preparing audio…",
  "mobile-permissions": "Checking the microphone…",
  "daily-call-join": "Connecting to your coach…",
  "audio-observer-setup": "Setting up audio…",
  "audio-processing-setup": "Almost there…",
};

async function microphoneAllowed(): Promise<boolean> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    stream.getTracks().forEach((t) => t.stop());
    return true;
  } catch {
    return false;
  }
}

function vapiErrorMessage(error: unknown): string {
  const e = error as { error?: { message?: unknown; error?: { message?: unknown } }; errorMsg?: unknown } | undefined;
  const detail = e?.error?.error?.message ?? e?.error?.message ?? e?.errorMsg;
  return Array.isArray(detail)
    ? detail.join(", ")
    : typeof detail === "string"
      ? detail
      : "The voice service did not accept the call.";
}

/** The whole life of one coach call in the page; the server's state is the truth for time and money. */
export function useCoachCall() {
  const [view, setView] = useState<CoachCallView>({ step: "idle" });
  /** The server's latest word on the call in progress (balance included), from the poll below. */
  const [serverState, setServerState] = useState<CoachCallState | null>(null);
  const vapiRef = useRef<VapiType | null>(null);
  const reservationRef = useRef<string | null>(null);
  const linesRef = useRef<Line[]>([]);
  const endedRef = useRef<{ reason: "you" | "server" | "connection" }>({ reason: "server" });

  const start = useCallback(async () => {
    setServerState(null);
    setView({ step: "starting", stage: "Asking for your microphone…" });
    if (!(await microphoneAllowed())) {
      setView({
        step: "failed",
        problem: "microphone",
        message: "Coach Call needs your microphone. Allow it in your browser's address bar, then try again.",
      });
      return;
    }
    setView({ step: "starting", stage: "Reserving your credits…" });
    const started = await startCoachCall({});
    if (!started.ok) {
      setView({ step: "failed", problem: "refused", message: started.error });
      return;
    }
    const { apiUrl, vapiKey, assistantId, assistantOverrides, reservation } = started.data;
    reservationRef.current = reservation.id;
    linesRef.current = [];
    endedRef.current = { reason: "server" };
    const { default: Vapi } = await import("@vapi-ai/web");
    // avoidEval: Daily then loads its call machine as a <script>, so the CSP needs no 'unsafe-eval'.
    const vapi = new Vapi(vapiKey, apiUrl, { avoidEval: true });
    vapiRef.current = vapi;
    let startError: unknown = null;
    /** The id Vapi gave the call it created; the SDK passes on nothing else of its answer. */
    let vapiCallId: string | undefined;
    vapi.on("call-start-progress", (e) => {
      const createdId = e.metadata?.callId;
      if (e.stage === "web-call-creation" && e.status === "completed" && typeof createdId === "string")
        vapiCallId = createdId === "unknown" ? undefined : createdId;
      if (e.status === "started" && STAGES[e.stage])
        setView((v) => (v.step === "starting" ? { step: "starting", stage: STAGES[e.stage] } : v));
    });
    vapi.on("call-start", () =>
      setView({
        step: "live",
        volume: 0,
        lines: linesRef.current,
        secondsLeft: reservation.seconds,
        heldCredits: reservation.credits,
        warning: null,
      }),
    );
    vapi.on("volume-level", (volume) => setView((v) => (v.step === "live" ? { ...v, volume } : v)));
    vapi.on("message", (m) => {
      if (m?.type !== "transcript" || m.transcriptType !== "final" || typeof m.transcript !== "string") return;
      linesRef.current = [...linesRef.current, { role: m.role === "user" ? "user" : "assistant", text: m.transcript }];
      setView((v) => (v.step === "live" ? { ...v, lines: linesRef.current } : v));
    });
    vapi.on("error", (e) => {
      startError = e;
      if ((e as { type?: string })?.type === "daily-error") endedRef.current = { reason: "connection" };
    });
    vapi.on("call-end", () => setView({ step: "ending", lines: linesRef.current, reason: endedRef.current.reason }));
    const call = await vapi.start(assistantId, assistantOverrides);
    if (!call) {
      // The server gives the credits back and, from Vapi's record of the call, says whether the lines were busy.
      const givenUp = await cancelCoachCall({ reservationId: reservation.id, vapiCallId });
      if (givenUp.ok && givenUp.data.state) setServerState(givenUp.data.state);
      setView(
        givenUp.ok && givenUp.data.linesBusy
          ? { step: "failed", problem: "busy", message: LINES_BUSY_MESSAGE }
          : {
              step: "failed",
              problem: "start",
              message: `Your call could not start: ${vapiErrorMessage(startError)} No credits were used.`,
            },
      );
    }
  }, []);

  const hangUp = useCallback(() => {
    endedRef.current = { reason: "you" };
    vapiRef.current?.stop();
  }, []);

  // While live, and after the end until billing settles, ask the server what is true.
  useEffect(() => {
    if (view.step !== "live" && view.step !== "ending") return;
    const reservationId = reservationRef.current;
    if (!reservationId) return;
    let stopped = false;
    const poll = async () => {
      const result = await getCoachCallState({ reservationId });
      if (stopped || !result.ok) return;
      const state = result.data;
      setServerState(state);
      if (view.step === "live")
        setView((v) => (v.step === "live" ? { ...v, secondsLeft: state.secondsLeft, warning: state.warning } : v));
      if (
        view.step === "ending" &&
        (state.phase === "settled" ||
          state.phase === "unauthorized" ||
          state.phase === "expired" ||
          state.phase === "released")
      ) {
        setView({ step: "summary", state, lines: linesRef.current, connectionLost: view.reason === "connection" });
      }
    };
    poll();
    const timer = setInterval(poll, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [view.step, view.step === "ending" ? view.reason : null]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(
    () => () => {
      vapiRef.current?.stop();
    },
    [],
  );

  return { view, serverState, start, hangUp, reset: () => setView({ step: "idle" }) };
}
