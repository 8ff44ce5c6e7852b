import type { ConversationTurn } from "./config";
import type { SpokenRole } from "./transcript";

export type Utterance = {
  role: SpokenRole;
  text: string;
  pauseMs?: number;
  /** Runs once the utterance has been fully spoken (say + endCallAfterSpoken). */
  afterSpoken?: () => void;
};

export type ConversationHooks = {
  speechStarted(role: SpokenRole, turn: number): void;
  partialTranscript(role: SpokenRole, text: string): void;
  spoken(role: SpokenRole, text: string, startedAt: number, endedAt: number, turn: number): void;
  isMuted(role: SpokenRole): boolean;
};

/**
 * Plays the scripted turns in a loop until stopped. Utterances queued with `interject` (the first
 * message, control `say`) are spoken before the next scripted turn.
 */
export class Conversation {
  private readonly interjections: Utterance[] = [];
  private scriptIndex = 0;
  private turn = 0;
  private stopped = false;
  private readonly sleepers = new Set<{ wake: () => void; byInterjection: boolean }>();

  constructor(
    private readonly script: ConversationTurn[],
    private readonly charsPerSecond: number,
    private readonly partials: boolean,
    private readonly hooks: ConversationHooks,
  ) {}

  start(): void {
    void this.loop();
  }

  interject(utterance: Utterance, first = false): void {
    if (first) this.interjections.unshift(utterance);
    else this.interjections.push(utterance);
    for (const sleeper of this.sleepers) if (sleeper.byInterjection) sleeper.wake();
  }

  /** Brings the next scripted assistant turn forward (add-message with triggerResponseEnabled). */
  respondNow(): void {
    const turn = this.nextScriptedOf("assistant");
    if (turn) this.interject({ role: "assistant", text: turn.text });
  }

  stop(): void {
    this.stopped = true;
    for (const sleeper of this.sleepers) sleeper.wake();
  }

  durationMs(text: string): number {
    return Math.max(20, Math.round((text.length / this.charsPerSecond) * 1000));
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const next = this.interjections.shift() ?? this.nextScripted();
      await this.speak(next);
      if (this.stopped) return;
      next.afterSpoken?.();
      if (this.interjections.length === 0) await this.sleep(next.pauseMs ?? 0, true);
    }
  }

  private nextScripted(): Utterance {
    const turn = this.script[this.scriptIndex % this.script.length];
    this.scriptIndex += 1;
    return { role: turn.role, text: turn.text, pauseMs: turn.pauseMs };
  }

  private nextScriptedOf(role: SpokenRole): ConversationTurn | undefined {
    for (let step = 0; step < this.script.length; step += 1) {
      const turn = this.script[(this.scriptIndex + step) % this.script.length];
      if (turn.role === role) {
        this.scriptIndex += step + 1;
        return turn;
      }
    }
    return undefined;
  }

  private async speak(utterance: Utterance): Promise<void> {
    const duration = this.durationMs(utterance.text);
    if (this.hooks.isMuted(utterance.role)) {
      await this.sleep(duration);
      return;
    }
    const turn = this.turn++;
    const startedAt = Date.now();
    this.hooks.speechStarted(utterance.role, turn);
    if (this.partials) {
      await this.sleep(duration / 2);
      if (this.stopped) return;
      const words = utterance.text.split(" ");
      this.hooks.partialTranscript(utterance.role, words.slice(0, Math.ceil(words.length / 2)).join(" "));
      await this.sleep(duration / 2);
    } else {
      await this.sleep(duration);
    }
    if (this.stopped) return;
    this.hooks.spoken(utterance.role, utterance.text, startedAt, Date.now(), turn);
  }

  /** Resolves after `ms` or when stopped; a pause (`byInterjection`) also ends when something is interjected. */
  private sleep(ms: number, byInterjection = false): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        byInterjection,
        wake: () => {
          clearTimeout(timer);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      const timer = setTimeout(sleeper.wake, ms);
      this.sleepers.add(sleeper);
    });
  }
}
