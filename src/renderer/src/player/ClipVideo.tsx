import { useEffect, useEffectEvent, useRef } from 'react';
import type { FrameTable } from '../../../shared/api/schemas';
import type { FrameMismatch } from './frameNavigator';
import { PlayerEngine, type DecodedFrameSource, type FrameCacheState } from './playerEngine';
import type { PlayerFailure } from './videoJsPlayer';

export type ClipVideoProps = {
  src: string;
  type: string;
  label: string;
  frameTable: FrameTable;
  /** Read once at mount; later changes go through the engine. */
  useFrameCache: boolean;
  openFrameCache: () => Promise<DecodedFrameSource | null>;
  onEngine: (engine: PlayerEngine | null) => void;
  onFrameChange: (frame: number | null) => void;
  onNavigation: (busy: boolean, mismatch: FrameMismatch | null) => void;
  onPlayingChange: (playing: boolean) => void;
  onCacheState: (state: FrameCacheState) => void;
  onError: (failure: PlayerFailure) => void;
};

/** Mounts the player engine for one media source and hands it to the controls. */
export function ClipVideo(props: ClipVideoProps) {
  const { src, type, label, frameTable } = props;
  const containerRef = useRef<HTMLDivElement>(null);

  const initialUseFrameCache = useEffectEvent(() => props.useFrameCache);
  const openFrameCache = useEffectEvent(() => props.openFrameCache());
  const engineChanged = useEffectEvent((engine: PlayerEngine | null) => props.onEngine(engine));
  const frame = useEffectEvent((value: number | null) => props.onFrameChange(value));
  const navigation = useEffectEvent((busy: boolean, mismatch: FrameMismatch | null) =>
    props.onNavigation(busy, mismatch),
  );
  const playing = useEffectEvent((value: boolean) => props.onPlayingChange(value));
  const cache = useEffectEvent((state: FrameCacheState) => props.onCacheState(state));
  const error = useEffectEvent((failure: PlayerFailure) => props.onError(failure));

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const engine = new PlayerEngine(container, {
      src,
      type,
      label,
      frameTable,
      useFrameCache: initialUseFrameCache(),
      openFrameCache: () => openFrameCache(),
      events: {
        frame: (value) => frame(value),
        navigation: (busy, mismatch) => navigation(busy, mismatch),
        playing: (value) => playing(value),
        cache: (state) => cache(state),
        error: (failure) => error(failure),
      },
    });
    engineChanged(engine);
    return () => {
      engineChanged(null);
      engine.dispose();
    };
  }, [src, type, label, frameTable]);

  return <div className="clip-video" ref={containerRef} />;
}
