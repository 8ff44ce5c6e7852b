// The page's end of the emulator's room protocol (README.md, "WebSocket room protocol").

export type RoomFrame =
  | { type: "joined"; localSessionId: string }
  | { type: "participant-joined"; participant: { session_id: string; user_name: string } }
  | { type: "app-message"; data: string; fromId: string }
  | { type: "speaking"; speaking: boolean }
  | { type: "participant-left"; sessionId: string }
  | { type: "call-ended"; endedReason: string }
  | { type: "error"; message: string };

/** `http://host/room/<name>` (webCallUrl) → `ws://host/room/<name>`. */
export function roomSocketUrl(webCallUrl: string): string {
  const url = new URL(webCallUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** Opens the room and sends `join`; resolves on `joined`, rejects if the room refuses or closes first. */
export function connectRoom(
  url: string,
  microphone: "granted" | "denied",
  onFrame: (frame: RoomFrame) => void,
): Promise<{ socket: WebSocket; joined: Extract<RoomFrame, { type: "joined" }> }> {
  return new Promise((resolve, reject) => {
    let joined = false;
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "join", microphone })));
    socket.addEventListener("message", (event: MessageEvent) => {
      let frame: RoomFrame;
      try {
        frame = JSON.parse(String(event.data)) as RoomFrame;
      } catch {
        return;
      }
      if (joined) return onFrame(frame);
      if (frame.type === "joined") {
        joined = true;
        resolve({ socket, joined: frame });
      } else if (frame.type === "error") {
        reject(new Error(frame.message));
        socket.close();
      }
    });
    const refused = () => {
      if (!joined) reject(new Error(`Could not join the room at ${url}: it does not exist or the call has ended`));
    };
    socket.addEventListener("error", refused);
    socket.addEventListener("close", refused);
  });
}
