import { useEffect, useEffectEvent, useRef } from 'react';
import { frameIndexAtTime, nearestFrameIndex } from './frameIndex';
import { createClipPlayer, type PlayerFailure } from './videoJsPlayer';

export type ClipVideoProps = {
  src: string;
  type: string;
  label: string;
  /** The clip's frame table: presentation timestamps, seconds. */
  frameTimes: readonly number[];
  onFrameChange: (frame: number | null) => void;
  onError: (failure: PlayerFailure) => void;
};

/** Mounts the clip player and reports, by the frame table, which frame is on screen. */
export function ClipVideo({
  src,
  type,
  label,
  frameTimes,
  onFrameChange,
  onError,
}: ClipVideoProps) {
  const containerRef = useRef<HTMLDivElement>(null);

  const reportFrame = useEffectEvent((mediaTime: number, exact: boolean) => {
    onFrameChange(
      exact ? nearestFrameIndex(frameTimes, mediaTime) : frameIndexAtTime(frameTimes, mediaTime),
    );
  });
  const reportError = useEffectEvent((failure: PlayerFailure) => onError(failure));

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const player = createClipPlayer(container, { src, type, label });
    player.onFrame(({ mediaTime, exact }) => reportFrame(mediaTime, exact));
    player.onError(reportError);
    return () => player.dispose();
  }, [src, type, label]);

  return <div className="clip-video" ref={containerRef} />;
}
