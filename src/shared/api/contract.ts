import { z } from 'zod';
import {
  Batch,
  ChecksumUpdate,
  Clip,
  FileError,
  FrameTable,
  ImportProgress,
  ImportReport,
  MediaVariant,
  ProxyStatus,
  SampleTable,
} from './schemas';

/**
 * Every call between the renderer and the main-process services, declared once.
 * The Electron IPC bridge, the loopback host and both clients are derived from this object,
 * so a call cannot exist on one transport and not the other.
 */
export const calls = {
  importBatch: {
    input: z.object({ folder: z.string().min(1, 'Choose a folder to import.') }).strict(),
    output: ImportReport,
  },
  listBatches: {
    input: z.object({}).strict(),
    output: z.array(Batch),
  },
  listClips: {
    input: z.object({ batchId: z.string().min(1) }).strict(),
    output: z.array(Clip),
  },
  listFileErrors: {
    input: z.object({ batchId: z.string().min(1) }).strict(),
    output: z.array(FileError),
  },
  getClip: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: Clip,
  },
  getFrameTable: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: FrameTable,
  },
  getSampleTable: {
    input: z
      .object({ clipId: z.string().min(1), variant: MediaVariant.default('original') })
      .strict(),
    output: SampleTable,
  },
  /** Asks for an H.264 proxy of a clip this renderer cannot decode; made in the background. */
  ensureProxy: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: ProxyStatus,
  },
  getProxyStatus: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: ProxyStatus,
  },
} as const;

/** Events pushed from main to the renderer; subscribed to as `onX` on the client. */
export const events = {
  importProgress: ImportProgress,
  checksumUpdate: ChecksumUpdate,
  proxyUpdate: ProxyStatus,
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type EventName = keyof typeof events;
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Calls[K]['output']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: string): name is CallName {
  return Object.hasOwn(calls, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

/** The main side: one async function per call, receiving parsed input. */
export type ApiHandlers = {
  [K in CallName]: (input: z.output<Calls[K]['input']>) => Promise<CallOutput<K>> | CallOutput<K>;
};

type OnEvent<K extends string> = `on${Capitalize<K>}`;

/** The renderer side, identical over IPC and over the loopback host. */
export type ApiClient = {
  [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>>;
} & {
  [K in EventName as OnEvent<K>]: (listener: (payload: EventPayload<K>) => void) => () => void;
} & {
  /** URL the video element loads a clip (or its proxy) from: by id, never by path. */
  mediaUrl: (clipId: string, variant?: MediaVariant) => string;
};

/** The response envelope on both transports; errors are values, not thrown objects, at the boundary. */
export type Envelope<T> =
  { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

export function eventListenerName<K extends EventName>(name: K): OnEvent<K> {
  return `on${name.charAt(0).toUpperCase()}${name.slice(1)}` as OnEvent<K>;
}
