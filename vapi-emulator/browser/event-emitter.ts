type DailyEventPayload = Record<string, unknown>;
export type Listener = (event: DailyEventPayload) => void;

let instanceCount = 0;

/** Daily's on/once/off. Like Daily, a listener that throws does not break the call object. */
export class DailyEventEmitter {
  protected readonly callClientId = `emulated-${++instanceCount}`;
  protected readonly listeners = new Map<string, Set<Listener>>();
  private readonly onceWrappers = new Map<Listener, Listener>();

  on(event: string, listener: Listener): this {
    const set = this.listeners.get(event) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(event, set);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapper: Listener = (payload) => {
      this.off(event, listener);
      listener(payload);
    };
    this.onceWrappers.set(listener, wrapper);
    return this.on(event, wrapper);
  }

  off(event: string, listener: Listener): this {
    const wrapper = this.onceWrappers.get(listener);
    this.onceWrappers.delete(listener);
    this.listeners.get(event)?.delete(wrapper ?? listener);
    return this;
  }

  protected listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  protected emit(event: string, payload: DailyEventPayload): void {
    const full = { action: event, callClientId: this.callClientId, ...payload };
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(full);
      } catch (error) {
        console.error(`[vapi-emulator daily] "${event}" listener threw`, error);
      }
    }
  }
}
