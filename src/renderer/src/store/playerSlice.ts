import type {
  Clip,
  FrameTable,
  MediaVariant,
  ProxyStatus,
  SampleTable,
} from '../../../shared/api/schemas';
import type { FrameCacheState } from '../player/playerEngine';
import type { SliceCreator } from './appStore';

/** A frame range to play over and over; both ends inclusive, null until set. */
export type LoopRange = { start: number | null; end: number | null; enabled: boolean };

/** The frame asked for and the one the player confirmed instead (null: could not confirm). */
export type FrameWarning = { requested: number; shown: number | null };

export const PLAYBACK_RATES = [0.1, 0.25, 0.5, 1, 1.5, 2, 4] as const;

const USE_FRAME_CACHE_KEY = 'framewise.player.useFrameCache';
/** While a proxy is being made, how often to ask for its status in case a pushed update was missed. */
const PROXY_POLL_MS = 2_000;

export type PlayerSlice = {
  playerClip: Clip | null;
  frameTable: FrameTable | null;
  playerLoading: boolean;
  /**
   * Frame on screen, confirmed from the frame table. Changes at the video's frame rate: read it
   * with `store.subscribe`, not a selector, so it does not re-render React on every frame.
   */
  currentFrame: number | null;
  /** A paused frame request is in flight (the stage is `aria-busy`). */
  frameBusy: boolean;
  /** Set when the confirmed frame is not the requested one; the UI shows it until resolved. */
  frameWarning: FrameWarning | null;
  playing: boolean;
  playbackRate: number;
  loop: LoopRange;
  /** Serve paused frames from the WebCodecs decoded-frame cache where it can decode the clip. */
  useFrameCache: boolean;
  frameCacheState: FrameCacheState;
  /**
   * Which media the player loads: the clip itself, or its H.264 proxy when this renderer cannot
   * decode the original. Null while that is being decided or the proxy is being made.
   */
  mediaVariant: MediaVariant | null;
  proxy: ProxyStatus | null;
  /** Where the video element loads a clip from (by id; the host maps it to the file). */
  mediaUrlFor: (clipId: string, variant?: MediaVariant) => string;
  sampleTableFor: (clipId: string, variant: MediaVariant) => Promise<SampleTable>;
  loadClip: (clipId: string) => Promise<void>;
  setCurrentFrame: (frame: number | null) => void;
  setFrameNavigation: (busy: boolean, warning: FrameWarning | null) => void;
  setPlaying: (playing: boolean) => void;
  setPlaybackRate: (rate: number) => void;
  setLoop: (loop: Partial<LoopRange>) => void;
  setUseFrameCache: (use: boolean) => void;
  setFrameCacheState: (state: FrameCacheState) => void;
  /** The original could not be decoded here: ask for a proxy and play that when it is ready. */
  requestProxy: (clipId: string) => Promise<void>;
  applyProxyUpdate: (status: ProxyStatus) => void;
};

export const createPlayerSlice: SliceCreator<PlayerSlice> = (api) => (set, get) => {
  let proxyPoll: ReturnType<typeof setInterval> | null = null;
  const stopProxyPoll = () => {
    if (proxyPoll !== null) clearInterval(proxyPoll);
    proxyPoll = null;
  };

  return {
    playerClip: null,
    frameTable: null,
    playerLoading: false,
    currentFrame: null,
    frameBusy: false,
    frameWarning: null,
    playing: false,
    playbackRate: 1,
    loop: { start: null, end: null, enabled: false },
    useFrameCache: readUseFrameCache(),
    frameCacheState: 'off',
    mediaVariant: null,
    proxy: null,
    mediaUrlFor: (clipId, variant) => api.mediaUrl(clipId, variant),
    sampleTableFor: (clipId, variant) => api.getSampleTable({ clipId, variant }),

    loadClip: async (clipId) => {
      stopProxyPoll();
      set({
        playerClip: null,
        frameTable: null,
        currentFrame: null,
        frameBusy: false,
        frameWarning: null,
        playing: false,
        frameCacheState: 'off',
        loop: { start: null, end: null, enabled: false },
        mediaVariant: null,
        proxy: null,
        playerLoading: true,
      });
      try {
        const [clip, frameTable] = await Promise.all([
          api.getClip({ clipId }),
          api.getFrameTable({ clipId }),
        ]);
        if (!isShowing(get().screen, clipId)) return;
        set({ playerClip: clip, frameTable });
        void get().loadFaceRegions(clipId);
        const screen = get().screen;
        // A reviewer sees the submitted labels, not a set of their own (none is created).
        if (screen.name === 'clip' && screen.reviewSetId !== undefined) {
          void get().openReviewLabels(screen.reviewSetId);
        } else void get().openLabels(clipId, frameTable.frameTimes.length);
        if (canDecodeHere(clip)) set({ mediaVariant: 'original' });
        else await get().requestProxy(clipId);
      } catch (error) {
        const screen = get().screen;
        // A withdrawn clip is not shown at all: back to its batch, which says why.
        if ((error as { code?: unknown }).code === 'CONSENT_WITHDRAWN' && screen.name === 'clip') {
          get().showBatch(screen.batchId);
        }
        get().reportError('opening the clip', error);
      } finally {
        if (isShowing(get().screen, clipId)) set({ playerLoading: false });
      }
    },

    setCurrentFrame: (frame) => {
      if (get().currentFrame !== frame) set({ currentFrame: frame });
    },
    setFrameNavigation: (busy, warning) => {
      const current = get().frameWarning;
      const same =
        current === warning ||
        (current !== null &&
          warning !== null &&
          current.requested === warning.requested &&
          current.shown === warning.shown);
      if (get().frameBusy !== busy || !same) set({ frameBusy: busy, frameWarning: warning });
    },
    setPlaying: (playing) => set({ playing }),
    setPlaybackRate: (rate) => set({ playbackRate: rate }),
    setLoop: (loop) => {
      const next = { ...get().loop, ...loop };
      // A range set back to front is meant as the same range.
      if (next.start !== null && next.end !== null && next.start > next.end) {
        [next.start, next.end] = [next.end, next.start];
      }
      set({ loop: next });
    },
    setUseFrameCache: (use) => {
      writeUseFrameCache(use);
      set({ useFrameCache: use });
    },
    setFrameCacheState: (frameCacheState) => set({ frameCacheState }),

    requestProxy: async (clipId) => {
      set({ mediaVariant: null });
      try {
        get().applyProxyUpdate(await api.ensureProxy({ clipId }));
      } catch (error) {
        get().reportError('making a playable copy of the clip', error);
        return;
      }
      stopProxyPoll();
      if (get().mediaVariant === 'proxy' || get().proxy?.state === 'failed') return;
      proxyPoll = setInterval(() => {
        if (!isShowing(get().screen, clipId)) {
          stopProxyPoll();
          return;
        }
        api.getProxyStatus({ clipId }).then(
          (status) => get().applyProxyUpdate(status),
          (error: unknown) => {
            stopProxyPoll();
            get().reportError('making a playable copy of the clip', error);
          },
        );
      }, PROXY_POLL_MS);
    },

    applyProxyUpdate: (status) => {
      const clip = get().playerClip;
      if (!clip || clip.id !== status.clipId || get().mediaVariant === 'proxy') return;
      set({ proxy: status });
      if (status.state === 'ready') {
        stopProxyPoll();
        set({ mediaVariant: 'proxy' });
      } else if (status.state === 'failed') {
        stopProxyPoll();
        get().reportError('making a playable copy of the clip', {
          code: 'PROXY_FAILED',
          message: status.message ?? 'The playable copy of this clip could not be made.',
        });
      }
    },
  };
};

function isShowing(screen: { name: string; clipId?: string }, clipId: string): boolean {
  return screen.name === 'clip' && screen.clipId === clipId;
}

/**
 * Whether this renderer decodes the clip's codec. Chromium answers "" for `video/quicktime` even
 * though it plays H.264 MOV, so the codec is asked about inside an MP4 (or WebM) type; HEVC
 * answers "" here and needs a proxy.
 */
function canDecodeHere(clip: Clip): boolean {
  const container = /webm|matroska/i.test(clip.container) ? 'video/webm' : 'video/mp4';
  const type = `${container}; codecs="${clip.codec}"`;
  if (document.createElement('video').canPlayType(type) !== '') return true;
  return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(type);
}

function readUseFrameCache(): boolean {
  try {
    return localStorage.getItem(USE_FRAME_CACHE_KEY) !== 'false';
  } catch (error) {
    console.warn('The frame cache setting could not be read; using the default.', error);
    return true;
  }
}

function writeUseFrameCache(use: boolean): void {
  try {
    localStorage.setItem(USE_FRAME_CACHE_KEY, String(use));
  } catch (error) {
    console.warn('The frame cache setting could not be saved.', error);
  }
}
