import { isEventName, type Envelope, type EventName } from '../../../shared/api/contract';
import type { Transport } from '../../../shared/api/createClient';

/**
 * The loopback host's protocol: `POST /api/<call>` answering a JSON envelope, events as
 * `{event, payload}` messages on the `/api/events` WebSocket, clip media under `/media/<id>`
 * (`?variant=proxy` for the clip's H.264 proxy).
 * Authorization is the HttpOnly cookie the host set when it served index.html, so every request
 * here is same-origin and carries no token of its own.
 */
export type LoopbackOptions = {
  /** Origin of the host; the page's own origin in practice. */
  origin: string;
  /** First and largest pause before reconnecting the event socket, in milliseconds. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
};

export function createLoopbackTransport(options: LoopbackOptions): Transport {
  const events = new EventSocket(
    eventSocketUrl(options.origin),
    options.reconnectMinMs ?? 250,
    options.reconnectMaxMs ?? 10_000,
  );
  return {
    invoke: (name, input) => post(new URL(`/api/${name}`, options.origin).href, input),
    subscribe: (name, listener) => events.subscribe(name, listener),
    mediaUrl: (clipId, variant) =>
      `/media/${encodeURIComponent(clipId)}${variant === 'proxy' ? '?variant=proxy' : ''}`,
  };
}

async function post(url: string, input: unknown): Promise<Envelope<unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input ?? {}),
      credentials: 'same-origin',
    });
  } catch (error) {
    return failure(
      'HOST_UNREACHABLE',
      `The Framewise host did not answer (${describe(error)}). Check that it is still running.`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return statusFailure(
      response.status,
      `The host sent a body that is not JSON (${describe(error)}).`,
    );
  }
  if (isEnvelope(body)) return body;
  return statusFailure(response.status, 'The host sent a body that is not a response envelope.');
}

function statusFailure(status: number, detail: string): Envelope<never> {
  if (status === 401 || status === 403) {
    return failure(
      'UNAUTHORIZED',
      'The host refused this session. Open Framewise again from the address the host printed.',
    );
  }
  return failure(status >= 200 && status < 300 ? 'BAD_RESPONSE' : `HTTP_${status}`, detail);
}

function failure(code: string, message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

function isEnvelope(body: unknown): body is Envelope<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  if (body.ok === true) return 'value' in body;
  if (body.ok !== false || !('error' in body)) return false;
  const { error } = body;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function eventSocketUrl(origin: string): string {
  const url = new URL('/api/events', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

type Listener = (payload: unknown) => void;

/**
 * One WebSocket shared by every subscription, opened on the first one and reopened with
 * exponential backoff (full jitter) whenever it drops, so a restarted host is picked up again.
 */
class EventSocket {
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly url: string,
    private readonly minDelayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  subscribe(name: EventName, listener: Listener): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    if (!this.socket && !this.retryTimer) this.connect();
    return () => {
      set.delete(listener);
    };
  }

  private connect(): void {
    this.retryTimer = null;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
    });
    socket.addEventListener('message', (message) => this.dispatch(message.data));
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const ceiling = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** this.attempt);
    this.attempt += 1;
    const delay = this.minDelayMs / 2 + Math.random() * ceiling;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private dispatch(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch (error) {
      console.warn(`Ignoring an event message that is not JSON: ${describe(error)}`);
      return;
    }
    if (typeof message !== 'object' || message === null || !('event' in message)) return;
    const { event } = message;
    if (typeof event !== 'string' || !isEventName(event)) return;
    const payload = 'payload' in message ? message.payload : undefined;
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }
}
