import type { EventName, EventPayload } from '../../shared/api/contract';

type Listener = (name: EventName, payload: unknown) => void;

/** Fan-out of contract events to whichever transports are attached (IPC windows, WebSockets). */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const listener of this.listeners) listener(name, payload);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
