/**
 * The one way a paused player changes frames. Requests are serialised: one frame is being shown
 * at a time, and requests made meanwhile collapse into the latest (holding → for a second asks
 * for thirty frames but shows only those the decoder can keep up with, ending on the right one).
 *
 * A small state machine (STYLE §6) with no DOM: how a frame gets on screen (decoded-frame cache or
 * a native seek confirmed by requestVideoFrameCallback) is the injected `show`, which reports the
 * frame it confirmed. When that differs from the request the navigator says so, so the UI can warn
 * instead of letting a label land on the wrong frame.
 *
 *   idle ──request(n)──▶ showing(n) ──show resolved, nothing queued──▶ idle
 *                          │  ▲
 *            request(m)    │  │ show resolved, m queued: show(m)
 *                          ▼  │
 *                     showing(n, queued m)
 */

/** Where a shown frame came from: the decoded-frame cache's canvas or the video element. */
export type FrameSourceKind = 'cache' | 'video';

/** What `show` confirmed: the frame index now on screen, or null if it could not tell. */
export type ShowResult = { shown: number | null; via: FrameSourceKind };

/** The frame asked for and the one the player confirmed instead (null: unconfirmed). */
export type FrameMismatch = { requested: number; shown: number | null };

export type NavigatorState =
  | {
      name: 'idle';
      /** Frame on screen, confirmed; null before anything was shown. */
      frame: number | null;
      via: FrameSourceKind | null;
      mismatch: FrameMismatch | null;
    }
  | { name: 'showing'; target: number; queued: number | null; frame: number | null }
  | { name: 'disposed' };

export type FrameNavigatorOptions = {
  frameCount: number;
  /** Puts frame n on screen and confirms which frame that is. May reject; that counts as unconfirmed. */
  show: (frame: number) => Promise<ShowResult>;
  onChange?: (state: NavigatorState) => void;
  onShowError?: (error: unknown, frame: number) => void;
};

export interface FrameNavigator {
  readonly state: NavigatorState;
  /** The frame the user asked for last (queued, in flight, or on screen). */
  readonly target: number | null;
  /** Asks for frame n (clamped to the clip); the latest request wins. */
  request: (frame: number) => void;
  /** A frame the player showed on its own (playback), taken as the frame on screen when idle. */
  observe: (frame: number | null, via: FrameSourceKind) => void;
  /** Resolves once nothing is in flight or queued. */
  settled: () => Promise<void>;
  dispose: () => void;
}

export function createFrameNavigator(options: FrameNavigatorOptions): FrameNavigator {
  const { frameCount, show, onChange, onShowError } = options;
  let state: NavigatorState = { name: 'idle', frame: null, via: null, mismatch: null };
  let waiters: (() => void)[] = [];

  const enter = (next: NavigatorState): void => {
    state = next;
    onChange?.(state);
    if (state.name !== 'showing') {
      const done = waiters;
      waiters = [];
      for (const resolve of done) resolve();
    }
  };

  const clamp = (frame: number): number =>
    Math.min(frameCount - 1, Math.max(0, Math.round(Number.isFinite(frame) ? frame : 0)));

  const start = (target: number, previous: number | null): void => {
    enter({ name: 'showing', target, queued: null, frame: previous });
    show(target).then(
      (result) => finish(target, result),
      (error: unknown) => {
        onShowError?.(error, target);
        finish(target, { shown: null, via: 'video' });
      },
    );
  };

  const finish = (target: number, result: ShowResult): void => {
    if (state.name !== 'showing' || state.target !== target) return;
    if (state.queued !== null) {
      start(state.queued, result.shown);
      return;
    }
    enter({
      name: 'idle',
      frame: result.shown,
      via: result.via,
      mismatch: result.shown === target ? null : { requested: target, shown: result.shown },
    });
  };

  return {
    get state() {
      return state;
    },
    get target() {
      switch (state.name) {
        case 'idle':
          return state.frame;
        case 'showing':
          return state.queued ?? state.target;
        case 'disposed':
          return null;
      }
    },
    request: (frame) => {
      if (frameCount <= 0) return;
      const target = clamp(frame);
      switch (state.name) {
        case 'idle':
          start(target, state.frame);
          return;
        case 'showing':
          enter({ ...state, queued: target === state.target ? null : target });
          return;
        case 'disposed':
          return;
      }
    },
    observe: (frame, via) => {
      if (state.name !== 'idle' || (state.frame === frame && state.mismatch === null)) return;
      enter({ name: 'idle', frame, via, mismatch: null });
    },
    settled: () =>
      state.name === 'showing'
        ? new Promise<void>((resolve) => waiters.push(resolve))
        : Promise.resolve(),
    dispose: () => enter({ name: 'disposed' }),
  };
}
