import videojs from 'video.js';
import videoJsCss from 'video.js/dist/video-js.css?inline';

/**
 * The only module that knows video.js (STYLE §9): the rest of the renderer sees a clip player
 * facade that reports which media time is on screen and what went wrong.
 */

export type ClipPlayerOptions = {
  src: string;
  /** MIME type; the media URL has no extension for video.js to guess from. */
  type: string;
  /** Accessible name of the video element. */
  label: string;
};

/**
 * A frame the player shows. `exact` when the compositor reported the frame it presented
 * (`requestVideoFrameCallback`), otherwise the element's `currentTime`, which only says where
 * playback is and must be mapped through the frame table's presentation intervals.
 */
export type ShownFrame = { mediaTime: number; exact: boolean };

export type PlayerFailure = { code: string; message: string };

export interface ClipPlayer {
  readonly video: HTMLVideoElement;
  onFrame: (listener: (frame: ShownFrame) => void) => () => void;
  onError: (listener: (failure: PlayerFailure) => void) => () => void;
  dispose: () => void;
}

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

  const frameListeners = new Set<(frame: ShownFrame) => void>();
  const errorListeners = new Set<(failure: PlayerFailure) => void>();
  const emitFrame = (frame: ShownFrame) => {
    for (const listener of frameListeners) listener(frame);
  };

  const player = videojs(video, {
    controls: true,
    preload: 'auto',
    // A fixed stage: portrait clips are pillarboxed instead of growing the page.
    fluid: true,
    aspectRatio: '16:9',
    // SVG icons rather than the icon font, which is left out (see adoptVideoJsStyles).
    experimentalSvgIcons: true,
    playbackRates: [0.1, 0.25, 0.5, 1, 2, 4],
    controlBar: { pictureInPictureToggle: false },
    sources: [{ src: options.src, type: options.type }],
  });

  player.on('error', () => {
    const error = player.error();
    const failure: PlayerFailure = {
      code: (error && MEDIA_ERROR_CODES[error.code]) ?? 'MEDIA_ERROR',
      message: error?.message || 'The video could not be played.',
    };
    for (const listener of errorListeners) listener(failure);
  });

  let frameRequest: number | null = null;
  // Typed as always present, but older engines (and some WebViews) lack it.
  const hasFrameCallbacks =
    typeof (video as Partial<HTMLVideoElement>).requestVideoFrameCallback === 'function';
  if (hasFrameCallbacks) {
    const onPresented: VideoFrameRequestCallback = (_now, metadata) => {
      emitFrame({ mediaTime: metadata.mediaTime, exact: true });
      frameRequest = video.requestVideoFrameCallback(onPresented);
    };
    frameRequest = video.requestVideoFrameCallback(onPresented);
  } else {
    const onTime = () => emitFrame({ mediaTime: video.currentTime, exact: false });
    for (const type of ['loadeddata', 'timeupdate', 'seeked']) video.addEventListener(type, onTime);
  }

  return {
    video,
    onFrame: (listener) => {
      frameListeners.add(listener);
      return () => frameListeners.delete(listener);
    },
    onError: (listener) => {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    dispose: () => {
      if (frameRequest !== null) video.cancelVideoFrameCallback(frameRequest);
      frameListeners.clear();
      errorListeners.clear();
      player.dispose();
    },
  };
}
