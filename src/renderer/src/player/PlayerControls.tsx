import { useEffect, useEffectEvent, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { formatTimecode } from '../screens/formatTimecode';
import { useAppStore, useAppStoreApi } from '../store/AppStoreContext';
import { PLAYBACK_RATES } from '../store/playerSlice';
import type { PlayerEngine } from './playerEngine';
import { commandForKey, keyTargetOf, type PlayerCommand } from './playerKeys';

type ControlsProps = {
  /** Null until the video is mounted: controls render but do nothing. */
  engine: PlayerEngine | null;
  frameTimes: readonly number[];
  /** Shown before the scrubber on its row (the frame readout). */
  leading?: ReactNode;
  /** Shown after the playback options (the video's view controls). */
  trailing?: ReactNode;
};

/**
 * Transport, frame entry, scrubbing, rate and loop controls, all keyboard-operable, plus the
 * player's shortcuts on the whole document while the clip is open. Every frame change goes
 * through the engine, which serialises it (latest wins) and confirms what is shown.
 */
export function PlayerControls({ engine, frameTimes, leading, trailing }: ControlsProps) {
  const store = useAppStoreApi();
  const playing = useAppStore((state) => state.playing);
  const playbackRate = useAppStore((state) => state.playbackRate);
  const loop = useAppStore((state) => state.loop);
  const setLoop = useAppStore((state) => state.setLoop);
  const setPlaybackRate = useAppStore((state) => state.setPlaybackRate);
  const lastFrame = Math.max(0, frameTimes.length - 1);

  const run = (command: PlayerCommand) => {
    if (!engine) return;
    const current = store.getState().currentFrame;
    switch (command.name) {
      case 'step':
        engine.step(command.delta);
        return;
      case 'togglePlay':
        engine.togglePlay();
        return;
      case 'first':
        engine.goTo(0);
        return;
      case 'last':
        engine.goTo(lastFrame);
        return;
      case 'loopStart':
        if (current !== null) setLoop({ start: current });
        return;
      case 'loopEnd':
        if (current !== null) setLoop({ end: current });
        return;
      case 'toggleLoop': {
        const { start, end, enabled } = store.getState().loop;
        setLoop({ enabled: !enabled, start: start ?? 0, end: end ?? lastFrame });
        return;
      }
    }
  };
  const runShortcut = useEffectEvent((command: PlayerCommand) => run(command));

  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.defaultPrevented) return;
      // A dialog over the player (the shortcut sheet) takes its own keys: End
      // scrolls the sheet rather than jumping the video hidden under it to its last frame.
      if (event.target instanceof Element && event.target.closest('dialog[open]')) return;
      const command = commandForKey(event, keyTargetOf(event.target));
      if (!command) return;
      // Also keeps Space from clicking a focused button and arrows from moving the slider twice.
      event.preventDefault();
      runShortcut(command);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  useEffect(() => engine?.setPlaybackRate(playbackRate), [engine, playbackRate]);
  useEffect(() => engine?.setLoop(loop), [engine, loop]);

  const button = (label: string, command: PlayerCommand, text: string, shortcut: string) => (
    <button
      type="button"
      aria-label={label}
      title={`${label} (${shortcut})`}
      aria-keyshortcuts={shortcut}
      onClick={() => run(command)}
      disabled={!engine}
    >
      <span aria-hidden="true">{text}</span>
    </button>
  );

  return (
    <div className="player-controls">
      <div className="scrub-row">
        {leading}
        <Scrubber engine={engine} frameTimes={frameTimes} />
      </div>
      <div className="transport" role="toolbar" aria-label="Frame controls">
        {button('First frame', { name: 'first' }, '|◀', 'Home')}
        {button('Back 10 frames', { name: 'step', delta: -10 }, '−10', 'Shift+ArrowLeft')}
        {button('Previous frame', { name: 'step', delta: -1 }, '◀ 1', 'ArrowLeft')}
        <button
          type="button"
          className="play-toggle"
          onClick={() => run({ name: 'togglePlay' })}
          aria-keyshortcuts="Space"
          title={playing ? 'Pause (Space)' : 'Play (Space)'}
          disabled={!engine}
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        {button('Next frame', { name: 'step', delta: 1 }, '1 ▶', 'ArrowRight')}
        {button('Forward 10 frames', { name: 'step', delta: 10 }, '+10', 'Shift+ArrowRight')}
        {button('Last frame', { name: 'last' }, '▶|', 'End')}
        <FrameInput engine={engine} frameCount={frameTimes.length} />
      </div>
      <div className="player-options">
        <label className="rate">
          Playback rate{' '}
          <select
            value={playbackRate}
            onChange={(event) => setPlaybackRate(Number(event.target.value))}
          >
            {PLAYBACK_RATES.map((rate) => (
              <option key={rate} value={rate}>
                {rate}×
              </option>
            ))}
          </select>
        </label>
        <div className="loop" role="group" aria-label="Loop range">
          {button('Loop start', { name: 'loopStart' }, 'Loop start', 'I')}
          {button('Loop end', { name: 'loopEnd' }, 'Loop end', 'O')}
          <button
            type="button"
            aria-pressed={loop.enabled}
            aria-keyshortcuts="L"
            title="Loop the range (L)"
            onClick={() => run({ name: 'toggleLoop' })}
            disabled={!engine}
          >
            Loop
          </button>
          <span className="loop-range" aria-live="polite">
            {loop.start === null && loop.end === null
              ? 'No loop range set'
              : `Frames ${loop.start ?? '–'} to ${loop.end ?? '–'}${loop.enabled ? ', looping' : ''}`}
          </span>
        </div>
      </div>
      {trailing}
    </div>
  );
}

/**
 * The Frame spinbutton: shows the frame on screen, and a typed number is shown on Enter. Updated
 * from a store subscription, not React state, since it follows playback.
 */
function FrameInput({ engine, frameCount }: { engine: PlayerEngine | null; frameCount: number }) {
  const store = useAppStoreApi();
  const inputRef = useRef<HTMLInputElement>(null);
  const editing = useRef(false);

  useEffect(() => {
    const paint = (frame: number | null) => {
      const input = inputRef.current;
      if (!input || editing.current) return;
      input.value = frame === null ? '' : String(frame);
    };
    paint(store.getState().currentFrame);
    return store.subscribe((state, previous) => {
      if (state.currentFrame !== previous.currentFrame) paint(state.currentFrame);
    });
  }, [store]);

  const commit = () => {
    const input = inputRef.current;
    if (!input || !engine) return;
    editing.current = false;
    const frame = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(frame)) {
      input.value = String(store.getState().currentFrame ?? '');
      return;
    }
    const target = Math.min(frameCount - 1, Math.max(0, Math.round(frame)));
    input.value = String(target);
    engine.goTo(target);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      commit();
    } else if (event.key === 'Escape') {
      editing.current = false;
      event.currentTarget.value = String(store.getState().currentFrame ?? '');
    }
  };

  return (
    <label className="frame-input">
      Frame{' '}
      <input
        ref={inputRef}
        type="number"
        inputMode="numeric"
        min={0}
        max={Math.max(0, frameCount - 1)}
        step={1}
        onInput={() => (editing.current = true)}
        onKeyDown={onKeyDown}
        onBlur={() => {
          editing.current = false;
          if (inputRef.current) {
            inputRef.current.value = String(store.getState().currentFrame ?? '');
          }
        }}
        aria-describedby="frame-input-hint"
      />
      <span id="frame-input-hint" className="muted">
        {' '}
        / {Math.max(0, frameCount - 1)}, Enter to go
      </span>
    </label>
  );
}

/** A slider over frame indices (step 1), so scrubbing can only land on whole frames. */
function Scrubber({
  engine,
  frameTimes,
}: {
  engine: PlayerEngine | null;
  frameTimes: readonly number[];
}) {
  const store = useAppStoreApi();
  const sliderRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const paint = (frame: number | null) => {
      const slider = sliderRef.current;
      if (!slider || frame === null) return;
      slider.value = String(frame);
      const time = frameTimes[frame];
      slider.setAttribute(
        'aria-valuetext',
        `Frame ${frame}${time === undefined ? '' : ` at ${formatTimecode(time)}`}`,
      );
    };
    paint(store.getState().currentFrame);
    return store.subscribe((state, previous) => {
      if (state.currentFrame !== previous.currentFrame) paint(state.currentFrame);
    });
  }, [store, frameTimes]);

  return (
    <input
      ref={sliderRef}
      className="scrub"
      type="range"
      aria-label="Scrub"
      min={0}
      max={Math.max(0, frameTimes.length - 1)}
      step={1}
      defaultValue={0}
      disabled={!engine}
      onInput={(event) => engine?.goTo(Number(event.currentTarget.value))}
    />
  );
}
