// Daily-shaped participant objects: the fields the SDK and apps read.

type TrackState = {
  state: "off" | "playable" | "loading" | "blocked";
  subscribed: boolean;
  track?: MediaStreamTrack;
  persistentTrack?: MediaStreamTrack;
};

export type Participant = {
  session_id: string;
  user_id: string;
  user_name: string;
  local: boolean;
  owner: boolean;
  audio: boolean;
  video: boolean;
  screen: boolean;
  joined_at: Date;
  tracks: { audio: TrackState; video: TrackState; screenAudio: TrackState; screenVideo: TrackState };
};

const OFF: TrackState = { state: "off", subscribed: false };

export function localParticipant(
  sessionId: string,
  userName: string,
  microphone?: MediaStream | null,
  enabled = true,
): Participant {
  const track = microphone?.getAudioTracks()[0];
  return {
    session_id: sessionId,
    user_id: sessionId,
    user_name: userName,
    local: true,
    owner: false,
    audio: Boolean(track) && enabled,
    video: false,
    screen: false,
    joined_at: new Date(),
    tracks: {
      audio: track
        ? { state: "playable", subscribed: true, track, persistentTrack: track }
        : { state: "blocked", subscribed: false },
      video: OFF,
      screenAudio: OFF,
      screenVideo: OFF,
    },
  };
}

export function remoteSpeaker(sessionId: string, userName: string): Participant {
  return {
    session_id: sessionId,
    user_id: sessionId,
    user_name: userName,
    local: false,
    owner: true,
    audio: true,
    video: false,
    screen: false,
    joined_at: new Date(),
    tracks: { audio: { state: "loading", subscribed: false }, video: OFF, screenAudio: OFF, screenVideo: OFF },
  };
}

export function withAudioTrack(participant: Participant, track: MediaStreamTrack | null): Participant {
  const audio: TrackState = track
    ? { state: "playable", subscribed: true, track, persistentTrack: track }
    : { state: "loading", subscribed: true };
  return { ...participant, tracks: { ...participant.tracks, audio } };
}

/** Daily's `participants()`: the local participant under `local`, others by session id. */
export function participantsById(local: Participant, speaker: Participant | null): Record<string, Participant> {
  return speaker ? { local, [speaker.session_id]: speaker } : { local };
}
