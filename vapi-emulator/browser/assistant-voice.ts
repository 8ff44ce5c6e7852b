// The assistant's voice, generated in the page: a buzzy vowel-like tone whose loudness pulses at a
// syllable rate while the assistant speaks, and silence otherwise. Real media, so <audio>.play()
// and the SDK's playback path run as they would with Daily.

const SYLLABLES_PER_SECOND = 4;
const SPEAKING_GAIN = 0.25;

type AudioContextClass = typeof AudioContext;

function audioContextClass(): AudioContextClass | undefined {
  const scope = globalThis as typeof globalThis & { webkitAudioContext?: AudioContextClass };
  return scope.AudioContext ?? scope.webkitAudioContext;
}

export class AssistantVoice {
  /** null where WebAudio is unavailable (e.g. Node): levels are still reported. */
  readonly track: MediaStreamTrack | null = null;
  private readonly context: AudioContext | undefined;
  private readonly output: GainNode | undefined;
  private readonly sources: AudioScheduledSourceNode[] = [];
  private speaking = false;

  constructor() {
    const Context = audioContextClass();
    if (!Context) return;
    try {
      const context = new Context();
      const voice = context.createOscillator();
      voice.type = "sawtooth";
      voice.frequency.value = 140;
      const formant = context.createBiquadFilter();
      formant.type = "lowpass";
      formant.frequency.value = 1100;
      const syllables = context.createGain();
      syllables.gain.value = 0.5;
      const pulse = context.createOscillator();
      pulse.frequency.value = SYLLABLES_PER_SECOND;
      const pulseDepth = context.createGain();
      pulseDepth.gain.value = 0.5;
      const output = context.createGain();
      output.gain.value = 0;
      const destination = context.createMediaStreamDestination();
      pulse.connect(pulseDepth).connect(syllables.gain);
      voice.connect(formant).connect(syllables).connect(output).connect(destination);
      voice.start();
      pulse.start();
      this.sources.push(voice, pulse);
      this.context = context;
      this.output = output;
      this.track = destination.stream.getAudioTracks()[0] ?? null;
      // Autoplay policy may leave the context suspended until a user gesture; the track still exists.
      void context.resume().catch(() => undefined);
    } catch {
      this.track = null;
    }
  }

  setSpeaking(speaking: boolean): void {
    this.speaking = speaking;
    if (this.context && this.output) {
      this.output.gain.setTargetAtTime(speaking ? SPEAKING_GAIN : 0, this.context.currentTime, 0.02);
    }
  }

  /** The level Daily's remote audio observer would report (0–1): enough above 0.01 while speaking. */
  level(nowMs = Date.now()): number {
    if (!this.speaking) return 0;
    const phase = Math.sin((2 * Math.PI * SYLLABLES_PER_SECOND * nowMs) / 1000);
    return 0.03 + 0.12 * Math.abs(phase) + 0.02 * Math.random();
  }

  close(): void {
    for (const source of this.sources) {
      try {
        source.stop();
      } catch {
        // already stopped
      }
    }
    this.track?.stop();
    void this.context?.close().catch(() => undefined);
  }
}

/** RMS level of the microphone, for `local-audio-level`. */
export class MicrophoneMeter {
  private readonly context: AudioContext | undefined;
  private readonly analyser: AnalyserNode | undefined;
  private readonly samples: Float32Array<ArrayBuffer> | undefined;

  constructor(stream: MediaStream | null) {
    const Context = audioContextClass();
    if (!stream || !Context || stream.getAudioTracks().length === 0) return;
    try {
      this.context = new Context();
      this.analyser = this.context.createAnalyser();
      this.analyser.fftSize = 512;
      this.context.createMediaStreamSource(stream).connect(this.analyser);
      this.samples = new Float32Array(this.analyser.fftSize);
    } catch {
      this.analyser = undefined;
    }
  }

  level(): number {
    if (!this.analyser || !this.samples) return 0;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    return Math.min(1, Math.sqrt(sum / this.samples.length));
  }

  close(): void {
    void this.context?.close().catch(() => undefined);
  }
}
