import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { CallSession, RoomPeer } from "./call-session";
import type { ResolvedConfig } from "./config";
import { applyControl } from "./control";
import type { Emulator } from "./emulator";
import { isPlainObject } from "./merge";

export const SPEAKER_NAME = "Vapi Speaker";

/**
 * The room a browser joins at `webCallUrl`, over a WebSocket at the same path (`ws://…/room/<name>`).
 * It stands in for the Daily room; the frames are described in README.md ("WebSocket room protocol").
 */
export function attachRooms(server: Server, emulator: Emulator): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? "/", "http://emulator").pathname;
    const match = /^\/room\/([^/]+)\/?$/.exec(pathname);
    const session = match ? emulator.findByRoom(decodeURIComponent(match[1])) : undefined;
    if (!session || session.status === "ended") return refuse(socket, 404, "Not Found");
    if (session.browserConnected) return refuse(socket, 409, "Conflict");
    wss.handleUpgrade(req, socket, head, (ws) => new RoomConnection(ws, session, emulator.config));
  });
  return wss;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

class RoomConnection implements RoomPeer {
  private readonly localSessionId = randomUUID();
  private readonly speakerSessionId = randomUUID();
  private joined = false;
  private speakerPresent = false;
  private finished = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly session: CallSession,
    private readonly config: ResolvedConfig,
  ) {
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.onFrame(data);
    });
    ws.on("close", () => this.customerGone());
  }

  sendAppMessage(data: string): void {
    this.send({ type: "app-message", data, fromId: this.speakerSessionId });
  }

  setAssistantSpeaking(speaking: boolean): void {
    this.send({ type: "speaking", speaking });
  }

  /** The call ended on Vapi's side: the assistant leaves and the room closes. */
  close(endedReason: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.speakerPresent) this.send({ type: "participant-left", sessionId: this.speakerSessionId });
    this.send({ type: "call-ended", endedReason });
    this.ws.close(1000, "call ended");
  }

  private onFrame(data: RawData): void {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return this.send({ type: "error", message: "frames must be JSON" });
    }
    if (!isPlainObject(frame)) return;
    if (frame.type === "join") return this.join(frame.microphone === "denied");
    if (!this.joined) return;
    if (frame.type === "app-message" && typeof frame.data === "string") return this.appMessage(frame.data);
    if (frame.type === "microphone") this.session.flags.customerMuted = frame.enabled === false;
    if (frame.type === "leave") this.customerGone();
  }

  private join(microphoneDenied: boolean): void {
    if (this.joined) return;
    if (this.session.status === "ended") {
      this.send({ type: "error", message: "This call has ended." });
      this.ws.close(1000);
      return;
    }
    this.joined = true;
    this.session.attachRoom(this);
    this.send({ type: "joined", localSessionId: this.localSessionId });
    if (microphoneDenied) {
      this.session.end(this.config.microphoneDeniedEndedReason);
      return;
    }
    this.speakerPresent = true;
    this.send({
      type: "participant-joined",
      participant: { session_id: this.speakerSessionId, user_name: SPEAKER_NAME },
    });
    if (this.session.status === "queued") this.session.join("browser");
    else this.sendAppMessage("listening");
    if (this.session.flags.assistantSpeaking) this.setAssistantSpeaking(true);
  }

  private appMessage(data: string): void {
    if (data === "playable") {
      this.session.flags.playable = true;
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (isPlainObject(parsed)) applyControl(this.session, parsed, "browser", this.config);
  }

  /** `leave` frame or a closed socket: the customer hung up. */
  private customerGone(): void {
    if (!this.joined || this.finished) return;
    this.finished = true;
    this.session.detachRoom(this);
    this.session.customerLeft();
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }
}
