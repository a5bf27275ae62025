import type { CallName } from './contract';
import type { MediaVariant } from './schemas';

/** Electron IPC channel names, shared by the main bridge and the preload so they cannot drift. */
export const EVENT_CHANNEL = 'api:event';
export const callChannel = (name: CallName): string => `api:${name}`;
export const MEDIA_SCHEME = 'framewise-media';
export const mediaUrlFor = (clipId: string, variant: MediaVariant = 'original'): string =>
  `${MEDIA_SCHEME}://clip/${encodeURIComponent(clipId)}${variant === 'proxy' ? '?variant=proxy' : ''}`;
