import type { FrameTable } from '../../../shared/api/schemas';
import { nearestFrameIndex, seekTimeForFrame } from '../../../shared/domain/frameTable';
import {
  createFrameNavigator,
  type FrameMismatch,
  type FrameNavigator,
  type ShowResult,
} from './frameNavigator';
import { createClipPlayer, type ClipPlayer, type PlayerFailure } from './videoJsPlayer';

/**
 * The player engine behind a small facade (STYLE §5): React mounts it, calls its commands and
 * receives its events; frame-rate updates never pass through React state.
 *
 * Two ways a paused frame reaches the screen, both behind the frame navigator:
 * - the decoded-frame cache (WebCodecs), drawn on a canvas layered exactly over the video, with
 *   the same letterboxing (`object-fit: contain` on an intrinsic size equal to the displayed frame);
 * - the native video, seeked to the middle of the frame's presentation interval and confirmed by
 *   `requestVideoFrameCallback`'s media time against the frame table.
 * During playback only the native video runs, and its presented frames drive the readout.
 *
 * Orientation: Chromium applies the container's display matrix to <video> itself (videoWidth and
 * videoHeight are the displayed size, and drawing the element to a canvas draws it upright), while
 * WebCodecs output is not rotated, so the cache draws with the clip's rotation. Either way the
 * stage shows the picture upright, and that displayed orientation is the coordinate space labels
 * will be stored in: x to the right and y down on the upright picture, in displayed pixels (for a
 * 90° clip coded 320×240, x ∈ [0, 240) and y ∈ [0, 320)). The overlay maps stage pixels to that
 * space through the same letterbox transform as the canvas; it never sees coded orientation.
 */

/** What the engine needs from the decoded-frame cache (see decodedFrameLayer.ts). */
export interface DecodedFrameSource {
  /** Draws frame n, upright, onto the canvas, sizing it to the displayed frame. Rejects on failure. */
  draw: (frame: number, canvas: HTMLCanvasElement) => Promise<void>;
  /** Decodes ahead of `frame` in the stepping direction. */
  prefetch: (frame: number, direction: 1 | -1) => void;
  dispose: () => void;
}

/** Whether paused frames can come from the decoded-frame cache. */
export type FrameCacheState = 'off' | 'opening' | 'ready' | 'unavailable';

export type LoopSettings = { start: number | null; end: number | null; enabled: boolean };

export type PlayerEngineEvents = {
  /** The frame on screen changed (cache canvas or video); null when unknown. */
  frame: (frame: number | null) => void;
  /** A paused frame request started or ended, and whether it ended on another frame. */
  navigation: (busy: boolean, mismatch: FrameMismatch | null) => void;
  playing: (playing: boolean) => void;
  cache: (state: FrameCacheState) => void;
  error: (failure: PlayerFailure) => void;
};

export type PlayerEngineOptions = {
  src: string;
  type: string;
  label: string;
  frameTable: FrameTable;
  useFrameCache: boolean;
  /** Opens the decoded-frame cache for this clip, or null where it cannot decode the clip. */
  openFrameCache: () => Promise<DecodedFrameSource | null>;
  events: PlayerEngineEvents;
};

export class PlayerEngine {
  private readonly player: ClipPlayer;
  private readonly canvas: HTMLCanvasElement;
  private readonly navigator: FrameNavigator;
  private readonly frameTimes: readonly number[];
  private readonly lastFrameDuration: number;
  private readonly events: PlayerEngineEvents;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly openFrameCache: () => Promise<DecodedFrameSource | null>;
  private cache: DecodedFrameSource | null = null;
  private cacheOpening = false;
  private cacheUnavailable = false;
  private useFrameCache: boolean;
  private loop: LoopSettings = { start: null, end: null, enabled: false };
  /** Frame the video element presented last (not necessarily visible under the canvas). */
  private videoFrame: number | null = null;
  private shownFrame: number | null = null;
  private lastRequested = 0;
  private disposed = false;
  private loopTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every frame request and play, so a play that awaited knows it was overtaken. */
  private intent = 0;
  private markLoaded: () => void = () => undefined;
  private readonly loadedPromise = new Promise<void>((resolve) => (this.markLoaded = resolve));

  constructor(container: HTMLElement, options: PlayerEngineOptions) {
    this.events = options.events;
    this.frameTimes = options.frameTable.frameTimes;
    this.lastFrameDuration = options.frameTable.lastFrameDurationSeconds;
    this.useFrameCache = options.useFrameCache;
    this.player = createClipPlayer(container, {
      src: options.src,
      type: options.type,
      label: options.label,
    });

    this.canvas = document.createElement('canvas');
    this.canvas.className = 'frame-cache-canvas';
    this.canvas.hidden = true;
    // The same picture as the video, which carries the accessible name.
    this.canvas.setAttribute('aria-hidden', 'true');
    this.player.video.after(this.canvas);

    this.navigator = createFrameNavigator({
      frameCount: this.frameTimes.length,
      show: (frame) => this.show(frame),
      onChange: (state) => {
        if (state.name === 'showing') this.events.navigation(true, null);
        else if (state.name === 'idle') this.events.navigation(false, state.mismatch);
      },
      onShowError: (error, frame) => console.error(`Showing frame ${frame} failed`, error),
    });

    this.unsubscribe.push(
      this.player.onPresented((mediaTime) => this.onVideoPresented(mediaTime)),
      this.player.onPlayingChange((playing) => {
        if (playing && !this.canvas.hidden && this.videoFrame !== this.shownFrame) {
          // Started behind our back (video.js's big play button) while the cache shows another
          // frame than the video holds: start again from the frame on screen.
          this.player.pause();
          this.togglePlay();
          return;
        }
        if (playing) this.hideCanvas();
        this.events.playing(playing);
      }),
      this.player.onEnded(() => this.onEnded()),
      this.player.onError((failure) => this.events.error(failure)),
    );

    this.openFrameCache = options.openFrameCache;
    if (this.useFrameCache) this.ensureCache();
    else this.events.cache('off');
  }

  get frameCount(): number {
    return this.frameTimes.length;
  }

  /**
   * Resolves once the video has put its first frame on screen. Before that, a frame asked for
   * races the load: the video presents its opening frame whenever its data arrives, over a cached
   * frame still being decoded, and the readout then says 0 while the request is lost. Anything
   * that moves the player by itself (reopening at the saved frame) waits for this; a person's
   * step cannot come earlier than the picture they are looking at.
   */
  whenLoaded(): Promise<void> {
    return this.loadedPromise;
  }

  /** Shows frame n, pausing playback first. */
  goTo(frame: number): void {
    this.intent += 1;
    if (!this.player.paused) this.player.pause();
    this.navigator.request(frame);
  }

  /** Steps from the frame last asked for, so quick repeated steps add up. */
  step(delta: number): void {
    const playing = !this.player.paused;
    const from = playing ? this.shownFrame : this.navigator.target;
    this.goTo((from ?? this.shownFrame ?? 0) + delta);
  }

  async play(): Promise<void> {
    if (!this.player.paused) return;
    const intent = ++this.intent;
    await this.navigator.settled();
    // Awaiting lets the user step, pause or leave meanwhile; TypeScript cannot see that.
    const changedMind = () => this.isDisposed() || !this.isPaused() || this.intent !== intent;
    if (changedMind()) return;
    const last = this.frameTimes.length - 1;
    let from = this.shownFrame ?? 0;
    const range = this.loopRange();
    if (range && (from < range.start || from >= range.end)) from = range.start;
    else if (!range && from >= last) from = 0;
    // The cache may be showing a frame the video is not on: put the video there first.
    if (!this.canvas.hidden || this.videoFrame !== from) await this.showFromVideo(from);
    if (changedMind()) return;
    await this.player.play();
  }

  pause(): void {
    this.intent += 1;
    this.player.pause();
  }

  togglePlay(): void {
    if (this.player.paused) {
      this.play().catch((error: unknown) => console.error('Playback did not start', error));
    } else {
      this.pause();
    }
  }

  setPlaybackRate(rate: number): void {
    this.player.setPlaybackRate(rate);
  }

  setLoop(loop: LoopSettings): void {
    this.loop = loop;
  }

  setUseFrameCache(use: boolean): void {
    this.useFrameCache = use;
    if (use) this.ensureCache();
    else this.events.cache('off');
    // Turning the cache off must not leave a cached picture on screen.
    if (!use && !this.canvas.hidden && this.player.paused && this.shownFrame !== null) {
      this.navigator.request(this.shownFrame);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.loopTimer !== null) clearTimeout(this.loopTimer);
    this.navigator.dispose();
    for (const stop of this.unsubscribe) stop();
    this.cache?.dispose();
    this.cache = null;
    this.player.dispose();
  }

  /** Opened on first use only: it fetches the sample table and sets up a decoder. */
  private ensureCache(): void {
    if (this.cacheOpening) {
      this.events.cache(this.cacheState());
      return;
    }
    this.cacheOpening = true;
    this.events.cache('opening');
    this.openFrameCache().then(
      (cache) => {
        if (this.disposed) {
          cache?.dispose();
          return;
        }
        this.cache = cache;
        this.cacheUnavailable = cache === null;
        this.events.cache(this.cacheState());
      },
      (error: unknown) => {
        console.warn('The decoded-frame cache is not available', error);
        this.cacheUnavailable = true;
        if (!this.disposed) this.events.cache(this.cacheState());
      },
    );
  }

  private cacheState(): FrameCacheState {
    if (!this.useFrameCache) return 'off';
    if (this.cache) return 'ready';
    return this.cacheUnavailable ? 'unavailable' : 'opening';
  }

  private async show(frame: number): Promise<ShowResult> {
    const direction = frame < this.lastRequested ? -1 : 1;
    this.lastRequested = frame;
    const cache = this.useFrameCache ? this.cache : null;
    if (cache) {
      try {
        await cache.draw(frame, this.canvas);
        if (!this.disposed) {
          this.canvas.hidden = false;
          this.setShown(frame);
          cache.prefetch(frame, direction);
        }
        return { shown: frame, via: 'cache' };
      } catch (error) {
        console.warn(`Frame ${frame} is not in the decoded-frame cache; seeking instead`, error);
      }
    }
    return { shown: await this.showFromVideo(frame), via: 'video' };
  }

  /** Mid-interval seek, confirmed by the presented frame's media time; the canvas goes once it lands. */
  private async showFromVideo(frame: number): Promise<number | null> {
    let shown = this.videoFrame;
    if (shown !== frame || this.player.video.seeking) {
      const mediaTime = await this.player.seek(
        seekTimeForFrame(this.frameTimes, this.lastFrameDuration, frame),
      );
      shown = mediaTime === null ? null : nearestFrameIndex(this.frameTimes, mediaTime);
    }
    if (!this.disposed) {
      this.hideCanvas();
      this.setShown(shown);
    }
    return shown;
  }

  private onVideoPresented(mediaTime: number): void {
    const frame = nearestFrameIndex(this.frameTimes, mediaTime);
    this.videoFrame = frame;
    this.markLoaded();
    if (!this.canvas.hidden) return;
    this.setShown(frame);
    this.navigator.observe(frame, 'video');
    const range = this.loopRange();
    if (range && frame !== null && frame >= range.end && !this.player.paused) {
      this.scheduleLoopJump(range, frame, mediaTime);
    }
  }

  /**
   * Back to the loop start once the end frame has had its time on screen. Waiting for the frame
   * after it would show that frame, and more at high rates, before a seek lands.
   */
  private scheduleLoopJump(
    range: { start: number; end: number },
    frame: number,
    mediaTime: number,
  ): void {
    if (this.loopTimer !== null) return;
    const endFrameEnds =
      this.frameTimes[range.end + 1] ?? (this.frameTimes[range.end] ?? 0) + this.lastFrameDuration;
    const rate = this.player.video.playbackRate || 1;
    const wait = frame > range.end ? 0 : Math.max(0, ((endFrameEnds - mediaTime) / rate) * 1000);
    this.loopTimer = setTimeout(() => {
      this.loopTimer = null;
      const current = this.loopRange();
      if (current && !this.player.paused) this.player.jump(this.seekTime(current.start));
    }, wait);
  }

  private onEnded(): void {
    const range = this.loopRange();
    if (!range) return;
    this.player.jump(this.seekTime(range.start));
    this.player.play().catch((error: unknown) => console.error('Looping did not restart', error));
  }

  private isDisposed(): boolean {
    return this.disposed;
  }

  private isPaused(): boolean {
    return this.player.paused;
  }

  private loopRange(): { start: number; end: number } | null {
    const { start, end, enabled } = this.loop;
    if (!enabled || start === null || end === null || start > end) return null;
    return { start, end };
  }

  private seekTime(frame: number): number {
    return seekTimeForFrame(this.frameTimes, this.lastFrameDuration, frame);
  }

  private hideCanvas(): void {
    if (this.canvas.hidden) return;
    this.canvas.hidden = true;
    this.setShown(this.videoFrame);
  }

  private setShown(frame: number | null): void {
    if (this.shownFrame === frame) return;
    this.shownFrame = frame;
    this.events.frame(frame);
  }
}
