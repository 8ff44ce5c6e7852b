"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { callAnnouncement, ENDED_BY } from "@/lib/calls/announcements";
import { useCoachCall, type CoachCallView, type Line } from "./use-coach-call";
import { useFollowNewest } from "./use-follow-newest";

function clock(seconds: number) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

const speaker = (line: Line) => (line.role === "user" ? "You" : "Coach");

/** Scrollable, so it takes keyboard focus; it follows the newest line unless the caller scrolled up. */
function Transcript({ lines }: { lines: Line[] }) {
  const { box, onScroll } = useFollowNewest<HTMLDivElement>(lines.length);
  if (!lines.length) return <p className="muted">Your conversation will appear here.</p>;
  return (
    <div
      ref={box}
      onScroll={onScroll}
      className="transcript"
      data-testid="transcript"
      role="region"
      aria-label="Transcript"
      tabIndex={0}
    >
      {lines.map((l, i) => (
        <p key={i}>
          <strong>{speaker(l)}:</strong> {l.text}
        </p>
      ))}
    </div>
  );
}

/**
 * Two polite live regions that stay in the page for the call's whole life (a region inserted
 * with its text already in it is often not read): the call's state, and only the newest line of
 * the transcript, so each update is heard once and the transcript is never read out again whole.
 */
function Announcements({ view }: { view: CoachCallView }) {
  const newest = view.step === "live" ? view.lines.at(-1) : undefined;
  return (
    <>
      <p className="visually-hidden" role="status" data-testid="call-status">
        {callAnnouncement(view)}
      </p>
      <p className="visually-hidden" aria-live="polite" data-testid="newest-line">
        {newest ? `${speaker(newest)}: ${newest.text}` : ""}
      </p>
    </>
  );
}

type Balance = { available: number; held: number };

/**
 * The account's balance: as the page was rendered, then during and after a call as the call's own
 * state poll reads it from the server. Not by refreshing the page while a call runs: a refresh
 * that meets the server restarting falls back to reloading the page, which hangs up the call.
 */
function BalanceLine({ balance }: { balance: Balance }) {
  return (
    <p>
      Balance: <strong data-testid="balance">{balance.available}</strong> credits
      {balance.held > 0 && (
        <span className="muted" data-testid="held">
          {" "}
          (and {balance.held} held for the call in progress)
        </span>
      )}
    </p>
  );
}

/** `children` shows beside the idle "Talk to coach" button (how to get more credits), not during a call. */
export function CoachCall({
  balance,
  billingRule,
  canStart,
  reasonDisabled,
  children,
}: {
  balance: Balance;
  billingRule: React.ReactNode;
  canStart: boolean;
  reasonDisabled?: string;
  children?: React.ReactNode;
}) {
  const call = useCoachCall();
  const { view, serverState } = call;
  const router = useRouter();
  const endCallButton = useRef<HTMLButtonElement>(null);
  const summaryHeading = useRef<HTMLHeadingElement>(null);
  // Once the call is over, the rest of the page (can another call start?) is read again.
  // Focus goes where the next thing to do is: "End call" when connected, the summary when it ends.
  useEffect(() => {
    if (view.step === "summary") router.refresh();
    if (view.step === "live") endCallButton.current?.focus();
    if (view.step === "summary") summaryHeading.current?.focus();
  }, [view.step, router]);
  const shown =
    view.step !== "idle" && serverState ? { available: serverState.balance, held: serverState.held } : balance;

  return (
    <>
      <BalanceLine balance={shown} />
      {billingRule}
      <Announcements view={view} />
      <CallStep
        call={call}
        canStart={canStart}
        reasonDisabled={reasonDisabled}
        endCallButton={endCallButton}
        summaryHeading={summaryHeading}
      >
        {children}
      </CallStep>
    </>
  );
}

type CallStepProps = {
  call: ReturnType<typeof useCoachCall>;
  canStart: boolean;
  reasonDisabled?: string;
  children?: React.ReactNode;
  endCallButton: React.Ref<HTMLButtonElement>;
  summaryHeading: React.Ref<HTMLHeadingElement>;
};

function CallStep({
  call: { view, start, hangUp, reset },
  canStart,
  reasonDisabled,
  children,
  endCallButton,
  summaryHeading,
}: CallStepProps) {
  switch (view.step) {
    case "idle":
      return (
        <div>
          <button onClick={start} disabled={!canStart}>
            Talk to coach
          </button>
          {reasonDisabled && (
            <p className="error" role="alert">
              {reasonDisabled}
            </p>
          )}
          {children}
        </div>
      );
    case "starting":
      return <p data-testid="call-progress">{view.stage}</p>;
    case "live":
      return (
        <div data-testid="call-live">
          <p>
            <span
              className="speaking"
              style={{ transform: `scale(${1 + Math.min(1, view.volume) * 1.5})` }}
              aria-hidden
            />{" "}
            Connected {view.volume > 0.05 ? "— your coach is speaking" : ""}
          </p>
          <p>
            Time left:{" "}
            <strong data-testid="time-left">{view.secondsLeft === null ? "…" : clock(view.secondsLeft)}</strong>
          </p>
          <p>
            Held for this call: <strong data-testid="held-for-call">{view.heldCredits}</strong> credits.{" "}
            <span className="muted">
              You pay for the time you talk; the rest goes back to your balance when the call ends.
            </span>
          </p>
          <Transcript lines={view.lines} />
          <button ref={endCallButton} className="danger" onClick={hangUp}>
            End call
          </button>
        </div>
      );
    case "ending":
      return (
        <div>
          <p data-testid="call-ending">
            {view.reason === "connection" ? "The connection was lost. " : "Call ended. "}Working out your bill…
          </p>
          <Transcript lines={view.lines} />
        </div>
      );
    case "summary": {
      const { state } = view;
      return (
        <div data-testid="call-summary">
          <h2 ref={summaryHeading} tabIndex={-1}>
            Call summary
          </h2>
          {view.connectionLost && <p className="error">The connection was lost.</p>}
          {state.endedBy && (
            <p className="error" data-testid="ended-by">
              {ENDED_BY[state.endedBy]}
            </p>
          )}
          <p>
            Duration: <strong data-testid="summary-duration">{clock(state.usedSeconds ?? 0)}</strong>
          </p>
          <p>
            Credits charged: <strong data-testid="summary-charged">{state.creditsCharged ?? 0}</strong>
          </p>
          <p>
            New balance: <strong data-testid="summary-balance">{state.balance}</strong> credits
          </p>
          <Transcript lines={view.lines} />
          <button className="secondary" onClick={reset}>
            Done
          </button>
        </div>
      );
    }
    case "failed":
      return (
        <div>
          <p className="error" role="alert" data-testid="call-error">
            {view.message}
          </p>
          <button className="secondary" onClick={reset}>
            Try again
          </button>
        </div>
      );
  }
}
