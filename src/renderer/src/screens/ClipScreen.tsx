import { useCallback, useEffect, useRef } from 'react';
import type { Clip, FrameTable } from '../../../shared/api/schemas';
import { ClipVideo } from '../player/ClipVideo';
import { clipMediaType } from '../player/clipMediaType';
import type { PlayerFailure } from '../player/videoJsPlayer';
import { useAppStore, useAppStoreApi } from '../store/AppStoreContext';
import { formatTimecode } from './formatTimecode';

export function ClipScreen({ batchId, clipId }: { batchId: string; clipId: string }) {
  const clip = useAppStore((state) => state.playerClip);
  const frameTable = useAppStore((state) => state.frameTable);
  const loading = useAppStore((state) => state.playerLoading);
  const showBatch = useAppStore((state) => state.showBatch);
  const ready = clip?.id === clipId && frameTable?.clipId === clipId;

  return (
    <section className="screen" aria-labelledby="clip-title">
      <nav className="screen-nav">
        <button type="button" onClick={() => showBatch(batchId)}>
          Back to batch
        </button>
      </nav>
      <h1 id="clip-title">{ready ? clip.fileName : 'Clip'}</h1>
      {ready ? (
        <ClipPlayerPanel clip={clip} frameTable={frameTable} />
      ) : (
        loading && <p>Loading clip…</p>
      )}
    </section>
  );
}

function ClipPlayerPanel({ clip, frameTable }: { clip: Clip; frameTable: FrameTable }) {
  const mediaUrlFor = useAppStore((state) => state.mediaUrlFor);
  const setCurrentFrame = useAppStore((state) => state.setCurrentFrame);
  const reportError = useAppStore((state) => state.reportError);
  const onError = useCallback(
    (failure: PlayerFailure) =>
      reportError(`playing ${clip.fileName}`, {
        code: failure.code,
        message: `${failure.message} (${clip.codec} in ${clip.container})`,
      }),
    [reportError, clip.fileName, clip.codec, clip.container],
  );
  return (
    <div className="clip-layout">
      <ClipVideo
        src={mediaUrlFor(clip.id)}
        type={clipMediaType(clip)}
        label={`Video: ${clip.fileName}`}
        frameTimes={frameTable.frameTimes}
        onFrameChange={setCurrentFrame}
        onError={onError}
      />
      <FrameReadout frameTimes={frameTable.frameTimes} />
      <dl className="clip-facts">
        <dt>Duration</dt>
        <dd>{formatTimecode(clip.durationSeconds)}</dd>
        <dt>Resolution</dt>
        <dd>
          {clip.width}×{clip.height}, rotated {clip.rotation}°
        </dd>
        <dt>Codec</dt>
        <dd>
          {clip.codec} in {clip.container}
        </dd>
      </dl>
    </div>
  );
}

/**
 * Frame number and timecode of the frame on screen. Written straight into the DOM from a store
 * subscription: it changes at the video's frame rate and must not re-render React each time.
 */
function FrameReadout({ frameTimes }: { frameTimes: readonly number[] }) {
  const store = useAppStoreApi();
  const frameRef = useRef<HTMLOutputElement>(null);
  const timeRef = useRef<HTMLOutputElement>(null);

  useEffect(() => {
    const paint = (frame: number | null) => {
      const time = frame === null ? undefined : frameTimes[frame];
      if (frameRef.current) frameRef.current.textContent = frame === null ? '–' : String(frame);
      if (timeRef.current) {
        timeRef.current.textContent = time === undefined ? '--:--.---' : formatTimecode(time);
      }
    };
    paint(store.getState().currentFrame);
    return store.subscribe((state, previous) => {
      if (state.currentFrame !== previous.currentFrame) paint(state.currentFrame);
    });
  }, [store, frameTimes]);

  return (
    <p className="frame-readout">
      <label htmlFor="current-frame">Current frame</label>{' '}
      <output id="current-frame" ref={frameRef} aria-live="off">
        –
      </output>{' '}
      <span>of {frameTimes.length} frames</span> <span aria-hidden="true">at</span>{' '}
      <output ref={timeRef} aria-label="Frame time" aria-live="off">
        --:--.---
      </output>
    </p>
  );
}
