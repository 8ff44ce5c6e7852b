// Stands in for `@daily-co/daily-js` when the app targets the Vapi emulator (next.config.ts aliases
// the package here), so the real `@vapi-ai/web` SDK runs unmodified. It implements what the SDK
// calls on Daily's call object and speaks the emulator's room protocol (README.md) over a WebSocket.
import { AssistantVoice, MicrophoneMeter } from "./assistant-voice";
import { acquireMicrophone } from "./microphone";
import { type Participant, participantsById, remoteSpeaker, localParticipant, withAudioTrack } from "./participants";
import { connectRoom, type RoomFrame, roomSocketUrl } from "./room-socket";
import { UnemulatedFeatures } from "./unemulated-features";

type DailyEventPayload = Record<string, unknown>;
type MeetingState = "new" | "loading" | "loaded" | "joining-meeting" | "joined-meeting" | "left-meeting" | "error";
type JoinOptions = { url?: string; token?: string; userName?: string; subscribeToTracksAutomatically?: boolean };
type FactoryOptions = JoinOptions & { audioSource?: unknown; videoSource?: unknown; dailyConfig?: unknown };

class EmulatedDailyCall extends UnemulatedFeatures {
  private readonly pendingAppMessages: DailyEventPayload[] = [];
  private state: MeetingState = "new";
  private socket: WebSocket | null = null;
  private local: Participant = localParticipant("local", "");
  private speaker: Participant | null = null;
  private voice: AssistantVoice | null = null;
  private microphone: MediaStream | null = null;
  private meter: MicrophoneMeter | null = null;
  private localAudioEnabled = true;
  private remoteLevelTimer: ReturnType<typeof setInterval> | undefined;
  private localLevelTimer: ReturnType<typeof setInterval> | undefined;
  private localLevel = 0;
  private destroyPromise: Promise<void> | undefined;
  private destroyed = false;

  constructor(private readonly options: FactoryOptions = {}) {
    super();
  }

  override on(event: string, listener: (event: DailyEventPayload) => void): this {
    super.on(event, listener);
    // App messages that arrived before anyone listened (the SDK subscribes only after join resolves).
    if (event === "app-message" && this.pendingAppMessages.length > 0) {
      setTimeout(() => this.flushAppMessages(), 0);
    }
    return this;
  }

  async join(options: JoinOptions = {}): Promise<Record<string, Participant>> {
    if (this.destroyed) throw new Error("Use after destroy");
    if (this.state === "joining-meeting" || this.state === "joined-meeting")
      throw new Error("Already joined or joining a meeting");
    const url = options.url ?? this.options.url;
    if (!url) throw new Error("join() needs a room url");
    this.state = "joining-meeting";
    this.emit("joining-meeting", {});
    const { stream, cameraError } = await acquireMicrophone();
    this.microphone = stream;
    if (cameraError) this.emit("camera-error", cameraError);
    const microphone = stream ? "granted" : "denied";
    try {
      const { socket, joined } = await connectRoom(roomSocketUrl(url), microphone, (frame) => this.onFrame(frame));
      this.socket = socket;
      socket.addEventListener("close", () => this.finishMeeting());
      this.local = localParticipant(
        joined.localSessionId,
        options.userName ?? "",
        this.microphone,
        this.localAudioEnabled,
      );
    } catch (error) {
      this.state = "error";
      const message = error instanceof Error ? error.message : String(error);
      this.emit("error", { errorMsg: message, error: { type: "connection-error", msg: message } });
      throw error instanceof Error ? error : new Error(message);
    }
    this.state = "joined-meeting";
    this.emit("joined-meeting", { participants: this.participants() });
    return this.participants();
  }

  async leave(): Promise<void> {
    if (this.state !== "joined-meeting" && this.state !== "joining-meeting") return;
    this.send({ type: "leave" });
    // Daily reports left-meeting asynchronously; callers' synchronous code finishes first.
    await Promise.resolve();
    this.finishMeeting();
  }

  destroy(): Promise<void> {
    this.destroyPromise ??= (async () => {
      await this.leave();
      this.stopLocalAudioLevelObserver();
      for (const track of this.microphone?.getTracks() ?? []) track.stop();
      this.meter?.close();
      this.destroyed = true;
      this.emit("call-instance-destroyed", {});
      this.listeners.clear();
    })();
    return this.destroyPromise;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  meetingState(): MeetingState {
    return this.state;
  }

  participants(): Record<string, Participant> {
    return participantsById(this.local, this.speaker);
  }

  participantCounts() {
    return { present: this.speaker ? 2 : 1, hidden: 0 };
  }

  /** The SDK subscribes to the "Vapi Speaker" audio here; that is when its track starts. */
  updateParticipant(sessionId: string, update: { setSubscribedTracks?: { audio?: boolean } }): this {
    const speaker = this.speaker;
    if (!speaker || speaker.session_id !== sessionId || !update.setSubscribedTracks?.audio) return this;
    if (speaker.tracks.audio.subscribed === true) return this;
    this.voice ??= new AssistantVoice();
    const track = this.voice.track;
    this.speaker = withAudioTrack(speaker, track);
    setTimeout(() => {
      if (!this.speaker || this.speaker.session_id !== sessionId) return;
      this.emit("participant-updated", { participant: this.speaker });
      if (track) this.emit("track-started", { participant: this.speaker, track, type: "audio" });
    }, 0);
    return this;
  }

  updateParticipants(updates: Record<string, { setSubscribedTracks?: { audio?: boolean } }>): this {
    for (const [sessionId, update] of Object.entries(updates)) this.updateParticipant(sessionId, update);
    return this;
  }

  sendAppMessage(data: unknown, to = "*"): this {
    void to;
    if (this.state === "joined-meeting") this.send({ type: "app-message", data });
    return this;
  }

  startRemoteParticipantsAudioLevelObserver(interval = 100): Promise<void> {
    clearInterval(this.remoteLevelTimer);
    this.remoteLevelTimer = setInterval(() => {
      const levels: Record<string, number> = {};
      if (this.speaker && this.voice) levels[this.speaker.session_id] = this.voice.level();
      else if (this.speaker) levels[this.speaker.session_id] = 0;
      this.emit("remote-participants-audio-level", { participantsAudioLevel: levels });
    }, interval);
    return Promise.resolve();
  }

  stopRemoteParticipantsAudioLevelObserver(): void {
    clearInterval(this.remoteLevelTimer);
    this.remoteLevelTimer = undefined;
  }

  startLocalAudioLevelObserver(interval = 100): Promise<void> {
    clearInterval(this.localLevelTimer);
    this.meter ??= new MicrophoneMeter(this.microphone);
    this.localLevelTimer = setInterval(() => {
      this.localLevel = this.localAudioEnabled ? (this.meter?.level() ?? 0) : 0;
      this.emit("local-audio-level", { audioLevel: this.localLevel });
    }, interval);
    return Promise.resolve();
  }

  stopLocalAudioLevelObserver(): void {
    clearInterval(this.localLevelTimer);
    this.localLevelTimer = undefined;
  }

  isLocalAudioLevelObserverRunning(): boolean {
    return this.localLevelTimer !== undefined;
  }

  getLocalAudioLevel(): number {
    return this.localLevel;
  }

  setLocalAudio(enabled: boolean): this {
    this.localAudioEnabled = enabled;
    for (const track of this.microphone?.getAudioTracks() ?? []) track.enabled = enabled;
    this.local = { ...this.local, audio: enabled };
    this.send({ type: "microphone", enabled });
    return this;
  }

  localAudio(): boolean {
    return this.localAudioEnabled;
  }

  async setInputDevicesAsync(): Promise<unknown> {
    return this.getInputDevices();
  }

  async getInputDevices(): Promise<unknown> {
    const mic = this.microphone?.getAudioTracks()[0];
    return {
      camera: {},
      mic: mic ? { deviceId: mic.getSettings().deviceId ?? "default", label: mic.label } : {},
      speaker: {},
    };
  }

  setUserName(userName: string): Promise<{ userName: string }> {
    this.local = { ...this.local, user_name: userName };
    return Promise.resolve({ userName });
  }

  private onFrame(frame: RoomFrame): void {
    switch (frame.type) {
      case "participant-joined":
        this.speaker = remoteSpeaker(frame.participant.session_id, frame.participant.user_name);
        this.emit("participant-joined", { participant: this.speaker });
        return;
      case "app-message":
        this.pendingAppMessages.push({ action: "app-message", data: frame.data, fromId: frame.fromId });
        this.flushAppMessages();
        return;
      case "speaking":
        this.voice ??= new AssistantVoice();
        this.voice.setSpeaking(frame.speaking);
        return;
      case "participant-left":
        this.speakerLeft();
        return;
      case "call-ended":
        this.finishMeeting();
        return;
      case "error":
        this.emit("error", { errorMsg: frame.message, error: { type: "ejected", msg: frame.message } });
        return;
    }
  }

  private flushAppMessages(): void {
    if (this.listenerCount("app-message") === 0) return;
    for (const payload of this.pendingAppMessages.splice(0)) this.emit("app-message", payload);
  }

  private speakerLeft(): void {
    const speaker = this.speaker;
    if (!speaker) return;
    this.speaker = null;
    const track = speaker.tracks.audio.persistentTrack;
    if (track) this.emit("track-stopped", { participant: null, track, type: "audio" });
    this.emit("participant-left", { participant: speaker });
  }

  /** Once per meeting: the room closed, the emulator ended the call, or we left. */
  private finishMeeting(): void {
    if (this.state !== "joined-meeting" && this.state !== "joining-meeting") return;
    this.state = "left-meeting";
    this.speakerLeft();
    this.stopRemoteParticipantsAudioLevelObserver();
    this.voice?.close();
    this.voice = null;
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
    this.emit("left-meeting", {});
  }

  private send(frame: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }
}

let current: EmulatedDailyCall | null = null;

const Daily = {
  createCallObject(options: FactoryOptions = {}): EmulatedDailyCall {
    current = new EmulatedDailyCall(options);
    return current;
  },
  getCallInstance(): EmulatedDailyCall | null {
    return current && !current.isDestroyed() ? current : null;
  },
  supportedBrowser() {
    return {
      supported: true,
      mobile: false,
      name: "emulated",
      version: "0",
      supportsScreenShare: false,
      supportsSfu: true,
      supportsVideoProcessing: false,
      supportsAudioProcessing: false,
    };
  },
  version(): string {
    return "0.87.0-vapi-emulator";
  },
};

export type DailyCall = EmulatedDailyCall;
export default Daily;
