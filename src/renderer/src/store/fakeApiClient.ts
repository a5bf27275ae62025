import type { ApiClient, EventName, EventPayload } from '../../../shared/api/contract';
import { eventListenerName } from '../../../shared/api/contract';

type Listener = (payload: unknown) => void;

/**
 * An API client for slice tests: calls named in `answers` resolve with their answer, any other
 * never settles (as a host that has not answered yet); each call is recorded in order with its
 * input; `push` delivers a main-process event to the store's subscriptions.
 */
export function fakeApiClient(answers: Record<string, (input: unknown) => unknown>) {
  const listeners = new Map<string, Listener[]>();
  const calls: { name: string; input: unknown }[] = [];
  const client = new Proxy(
    {},
    {
      get: (_target, key: string) => {
        if (key.startsWith('on')) {
          return (listener: Listener) => {
            listeners.set(key, [...(listeners.get(key) ?? []), listener]);
            return () => undefined;
          };
        }
        return (input: unknown) => {
          calls.push({ name: key, input });
          const answer = answers[key];
          return answer ? Promise.resolve(answer(input)) : new Promise(() => undefined);
        };
      },
    },
  ) as ApiClient;
  const push = <K extends EventName>(name: K, payload: EventPayload<K>) => {
    for (const listener of listeners.get(eventListenerName(name)) ?? []) listener(payload);
  };
  return { client, calls, names: () => calls.map((c) => c.name), push };
}
