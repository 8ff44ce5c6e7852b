import { DailyEventEmitter } from "./event-emitter";
import type { Participant } from "./participants";

/** Call-object methods the SDK may call whose features the emulator does not provide. */
export class UnemulatedFeatures extends DailyEventEmitter {
  properties = { dailyConfig: {} };

  startRecording(): void {}
  stopRecording(): void {}
  startScreenShare(): void {}
  stopScreenShare(): void {}
  localVideo(): boolean {
    return false;
  }
  setLocalVideo(): this {
    return this;
  }
  iframe(): HTMLIFrameElement | null {
    return null;
  }
  updateInputSettings(settings: unknown): Promise<unknown> {
    return Promise.resolve(settings);
  }
  getInputSettings(): Promise<unknown> {
    return Promise.resolve({ audio: { processor: { type: "none" } } });
  }
  async setOutputDeviceAsync(): Promise<unknown> {
    return { speaker: { deviceId: "default" } };
  }
  async enumerateDevices(): Promise<{ devices: MediaDeviceInfo[] }> {
    return { devices: (await globalThis.navigator?.mediaDevices?.enumerateDevices?.()) ?? [] };
  }
  async startCamera(): Promise<Record<string, Participant>> {
    return {};
  }
  async testNetworkConnectivity(): Promise<{ result: string }> {
    return { result: "passed" };
  }
  async testWebsocketConnectivity(): Promise<{ result: string }> {
    return { result: "passed" };
  }
  async testCallQuality(): Promise<{ result: string }> {
    return { result: "good" };
  }
}
