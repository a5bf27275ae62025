import {
  calls,
  eventListenerName,
  eventNames,
  events,
  type ApiClient,
  type CallName,
  type Envelope,
  type EventName,
} from './contract';
import { ApiError } from './apiError';
import type { MediaVariant } from './schemas';

/** What a transport (Electron IPC or the loopback host) must provide; the client is derived from it. */
export type Transport = {
  invoke: (name: CallName, input: unknown) => Promise<Envelope<unknown>>;
  subscribe: (name: EventName, listener: (payload: unknown) => void) => () => void;
  mediaUrl: (clipId: string, variant?: MediaVariant) => string;
};

export function createClient(transport: Transport): ApiClient {
  const client: Record<string, unknown> = { mediaUrl: transport.mediaUrl };
  for (const name of Object.keys(calls) as CallName[]) {
    client[name] = async (input: unknown) => {
      const envelope = await transport.invoke(name, input);
      if (!envelope.ok) throw new ApiError(envelope.error.code, envelope.error.message);
      // The other side is ours, but a version skew or a bug there must surface here, named.
      const parsed = calls[name].output.safeParse(envelope.value);
      if (!parsed.success) {
        throw new ApiError('BAD_RESPONSE', `The ${name} response did not match the contract.`);
      }
      return parsed.data;
    };
  }
  for (const name of eventNames) {
    client[eventListenerName(name)] = (listener: (payload: unknown) => void) =>
      transport.subscribe(name, (payload) => {
        const parsed = events[name].safeParse(payload);
        if (parsed.success) listener(parsed.data);
      });
  }
  return client as ApiClient;
}
