import videojs from 'video.js';
import videoJsCss from 'video.js/dist/video-js.css?inline';

/**
 * The only module that knows video.js (STYLE §9): the rest of the renderer sees a clip player
 * facade that seeks, plays, and reports which media time is on screen and what went wrong.
 */

export type ClipPlayerOptions = {
  src: string;
  /** MIME type; the media URL has no extension for video.js to guess from. */
  type: string;
  /** Accessible name of the video element. */
  label: string;
};

export type PlayerFailure = { code: string; message: string; mediaErrorCode: number | null };

export interface ClipPlayer {
  readonly video: HTMLVideoElement;
  /** The box the picture is letterboxed in; layers drawn over the video go in here. */
  readonly stage: HTMLElement;
  readonly paused: boolean;
  /**
   * Media time of the frame the compositor presented last (`requestVideoFrameCallback`), or null
   * before the first. Never `currentTime`, which says where playback is, not what is shown.
   */
  readonly presentedMediaTime: number | null;
  /** Every presented frame's media time, as `requestVideoFrameCallback` reports it. */
  onPresented: (listener: (mediaTime: number) => void) => () => void;
  onPlayingChange: (listener: (playing: boolean) => void) => () => void;
  onEnded: (listener: () => void) => () => void;
  onError: (listener: (failure: PlayerFailure) => void) => () => void;
  /**
   * Seeks and resolves with the media time of the frame presented as a result, confirmed by
   * `requestVideoFrameCallback`. A seek that lands on the frame already shown presents nothing,
   * so after `seeked` a short wait without a new frame means the shown frame did not change.
   * Null when nothing was ever presented or the seek never completed.
   */
  seek: (seconds: number) => Promise<number | null>;
  /** Moves the playhead without waiting for the frame (playback loops). */
  jump: (seconds: number) => void;
  play: () => Promise<void>;
  pause: () => void;
  setPlaybackRate: (rate: number) => void;
  dispose: () => void;
}

/** How long after `seeked` a newly presented frame may take before we conclude none is coming. */
const CONFIRM_AFTER_SEEKED_MS = 400;
/** A seek that has not completed by now has failed (a broken file, a dropped connection). */
const SEEK_TIMEOUT_MS = 8_000;

/**
 * video.js's stylesheet minus its icon font. The font is a data: URL, which our CSP (no font-src)
 * refuses, and Chromium reports the refusal as soon as the rule is parsed. We use the SVG icons
 * instead (`experimentalSvgIcons`), so the font is not needed at all.
 */
function adoptVideoJsStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(videoJsCss.replace(/@font-face\s*\{[^}]*\}/g, ''));
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
adoptVideoJsStyles();

const MEDIA_ERROR_CODES: Record<number, string> = {
  1: 'MEDIA_ERR_ABORTED',
  2: 'MEDIA_ERR_NETWORK',
  3: 'MEDIA_ERR_DECODE',
  4: 'MEDIA_ERR_SRC_NOT_SUPPORTED',
};

export function createClipPlayer(container: HTMLElement, options: ClipPlayerOptions): ClipPlayer {
  const video = document.createElement('video');
  video.className = 'video-js';
  video.setAttribute('aria-label', options.label);
  video.playsInline = true;
  video.preload = 'auto';
  container.appendChild(video);

  const presentedListeners = new Set<(mediaTime: number) => void>();
  const playingListeners = new Set<(playing: boolean) => void>();
  const endedListeners = new Set<() => void>();
  const errorListeners = new Set<(failure: PlayerFailure) => void>();
  let presentedMediaTime: number | null = null;
  let disposed = false;

  const player = videojs(video, {
    // Our own controls drive playback (frame-exact, keyboard-operable), and the picture belongs
    // to the labeling overlay: no big play button over it, and clicking it does nothing.
    controls: true,
    controlBar: false,
    bigPlayButton: false,
    userActions: { click: false, doubleClick: false, hotkeys: false },
    preload: 'auto',
    // The player fills the stage the workspace gives it; the picture is contain-fitted inside,
    // so a portrait clip takes the stage's full height.
    fill: true,
    // SVG icons rather than the icon font, which is left out (see adoptVideoJsStyles).
    experimentalSvgIcons: true,
    sources: [{ src: options.src, type: options.type }],
  });

  player.on('error', () => {
    const error = player.error();
    const failure: PlayerFailure = {
      code: (error && MEDIA_ERROR_CODES[error.code]) ?? 'MEDIA_ERROR',
      message: error?.message || 'The video could not be played.',
      mediaErrorCode: error?.code ?? null,
    };
    for (const listener of errorListeners) listener(failure);
  });
  const reportPlaying = (playing: boolean) => () => {
    for (const listener of playingListeners) listener(playing);
  };
  player.on('play', reportPlaying(true));
  player.on('pause', reportPlaying(false));
  player.on('ended', () => {
    for (const listener of endedListeners) listener();
  });

  let frameRequest: number | null = null;
  const onPresented: VideoFrameRequestCallback = (_now, metadata) => {
    presentedMediaTime = metadata.mediaTime;
    for (const listener of presentedListeners) listener(metadata.mediaTime);
    frameRequest = video.requestVideoFrameCallback(onPresented);
  };
  frameRequest = video.requestVideoFrameCallback(onPresented);

  const subscribe =
    <T>(set: Set<T>) =>
    (listener: T) => {
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    };

  const seek = (seconds: number): Promise<number | null> =>
    new Promise((resolve) => {
      let presentedSinceSeek: number | null = null;
      let seeked = false;
      let confirmTimer: ReturnType<typeof setTimeout> | null = null;
      const finish = (mediaTime: number | null) => {
        clearTimeout(failTimer);
        if (confirmTimer !== null) clearTimeout(confirmTimer);
        presentedListeners.delete(onFrame);
        video.removeEventListener('seeked', onSeeked);
        resolve(mediaTime);
      };
      const onFrame = (mediaTime: number) => {
        presentedSinceSeek = mediaTime;
        if (seeked) finish(mediaTime);
      };
      const onSeeked = () => {
        seeked = true;
        if (presentedSinceSeek !== null) finish(presentedSinceSeek);
        else confirmTimer = setTimeout(() => finish(presentedMediaTime), CONFIRM_AFTER_SEEKED_MS);
      };
      const failTimer = setTimeout(() => finish(null), SEEK_TIMEOUT_MS);
      presentedListeners.add(onFrame);
      video.addEventListener('seeked', onSeeked);
      player.currentTime(seconds);
    });

  return {
    video,
    stage: player.el() as HTMLElement,
    get paused() {
      return player.paused();
    },
    get presentedMediaTime() {
      return presentedMediaTime;
    },
    onPresented: subscribe(presentedListeners),
    onPlayingChange: subscribe(playingListeners),
    onEnded: subscribe(endedListeners),
    onError: subscribe(errorListeners),
    seek,
    jump: (seconds) => {
      player.currentTime(seconds);
    },
    play: async () => {
      await player.play();
    },
    pause: () => {
      player.pause();
    },
    setPlaybackRate: (rate) => {
      player.playbackRate(rate);
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      if (frameRequest !== null) video.cancelVideoFrameCallback(frameRequest);
      presentedListeners.clear();
      playingListeners.clear();
      endedListeners.clear();
      errorListeners.clear();
      player.dispose();
    },
  };
}
