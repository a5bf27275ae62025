import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { Command } from '../../../../shared/domain/labels';
import {
  TimelineEngine,
  type TimelineData,
  type TimelineRowsState,
  type TimelineViewState,
} from './timelineEngine';

export type TimelineProps = {
  data: TimelineData;
  /** The playhead's source (the player store): called at playback rate, never through React. */
  subscribePlayhead(listener: (frame: number) => void): () => void;
  getPlayhead(): number;
  onSeek(frame: number): void;
  onSelect(segmentId: string | null): void;
  onCommand(command: Command): void;
  onRequestLabel(segmentId: string): void;
  /**
   * Height of the drawing area in CSS pixels, or `fill` to take the height its parent gives the
   * timeline (the workspace's resizable dock); the width follows the parent.
   */
  height?: number | 'fill';
};

/** Room for the ruler, three actor rows and five keyframe tick rows of the default layout. */
const DEFAULT_HEIGHT = 180;

type ZoomLimits = { atFit: boolean; atMaxZoom: boolean };

/** The rows' extent when they overflow the drawing area (the scrollbar's range), else null. */
type RowsOverflow = { contentHeight: number; viewportHeight: number } | null;

/**
 * Mounts the timeline engine under the player and passes it data. The playhead reaches the
 * engine by subscription, so playback re-renders nothing here (STYLE §5); React renders only when
 * the data changes or the zoom reaches or leaves a limit (to disable a button).
 */
export function Timeline(props: TimelineProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const engineRef = useRef<TimelineEngine | null>(null);
  const [limits, setLimits] = useState<ZoomLimits>({ atFit: true, atMaxZoom: false });
  const scrollbarRef = useRef<HTMLDivElement>(null);
  const [overflow, setOverflow] = useState<RowsOverflow>(null);
  /** Where the rows are scrolled: the scrollbar is set to it without a render (scrolling is hot). */
  const rowScrollRef = useRef(0);

  const seek = useEffectEvent((frame: number) => props.onSeek(frame));
  const select = useEffectEvent((segmentId: string | null) => props.onSelect(segmentId));
  const command = useEffectEvent((c: Command) => props.onCommand(c));
  const requestLabel = useEffectEvent((segmentId: string) => props.onRequestLabel(segmentId));
  const initialData = useEffectEvent(() => props.data);
  const subscribe = useEffectEvent((listener: (frame: number) => void) =>
    props.subscribePlayhead(listener),
  );
  const playhead = useEffectEvent(() => props.getPlayhead());

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const viewChange = (view: TimelineViewState) => {
      setLimits((current) =>
        current.atFit === view.atFit && current.atMaxZoom === view.atMaxZoom
          ? current
          : { atFit: view.atFit, atMaxZoom: view.atMaxZoom },
      );
    };
    const rowsChange = (rows: TimelineRowsState) => {
      const overflows = rows.contentHeight > rows.viewportHeight;
      setOverflow((current) =>
        !overflows
          ? null
          : current?.contentHeight === rows.contentHeight &&
              current.viewportHeight === rows.viewportHeight
            ? current
            : { contentHeight: rows.contentHeight, viewportHeight: rows.viewportHeight },
      );
      rowScrollRef.current = rows.scrollY;
      const scrollbar = scrollbarRef.current;
      if (scrollbar && scrollbar.scrollTop !== rows.scrollY) scrollbar.scrollTop = rows.scrollY;
    };
    const engine = new TimelineEngine(container, {
      seek,
      select,
      command,
      requestLabel,
      viewChange,
      rowsChange,
    });
    engineRef.current = engine;
    engine.setData(initialData());
    engine.setPlayhead(playhead());
    const unsubscribe = subscribe((frame) => engine.setPlayhead(frame));
    const observer = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (box) engine.resize(box.width, box.height);
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      unsubscribe();
      engine.destroy();
      engineRef.current = null;
    };
  }, []);

  useEffect(() => {
    engineRef.current?.setData(props.data);
  }, [props.data]);
  // A scrollbar that has just appeared starts where the rows are.
  useEffect(() => {
    if (scrollbarRef.current) scrollbarRef.current.scrollTop = rowScrollRef.current;
  }, [overflow]);
  const fill = props.height === 'fill';

  return (
    <section
      className={fill ? 'timeline timeline-fill' : 'timeline'}
      role="region"
      aria-label="Timeline"
    >
      <div className="timeline-toolbar" role="toolbar" aria-label="Timeline zoom">
        <span className="timeline-title" aria-hidden="true">
          Timeline
        </span>
        <span className="muted" aria-hidden="true">
          Timeline zoom
        </span>
        <button
          type="button"
          aria-label="Zoom in"
          title="Zoom the timeline in (Ctrl+wheel over it)"
          disabled={limits.atMaxZoom}
          onClick={() => engineRef.current?.zoomIn()}
        >
          +
        </button>
        <button
          type="button"
          aria-label="Zoom out"
          title="Zoom the timeline out (Ctrl+wheel over it)"
          disabled={limits.atFit}
          onClick={() => engineRef.current?.zoomOut()}
        >
          −
        </button>
        <button
          type="button"
          aria-label="Fit clip"
          title="Fit the whole clip into the timeline"
          disabled={limits.atFit}
          onClick={() => engineRef.current?.zoomToFit()}
        >
          Fit
        </button>
      </div>
      <div
        className="timeline-body"
        style={{
          display: 'flex',
          minHeight: 0,
          ...(fill ? { flex: 1 } : { height: props.height ?? DEFAULT_HEIGHT }),
        }}
      >
        <div
          ref={containerRef}
          className="timeline-canvas"
          style={{ position: 'relative', overflow: 'hidden', flex: 1, minWidth: 0 }}
        />
        {overflow && (
          // Rows that do not fit scroll under the ruler: by this bar, or Shift+wheel over them.
          <div
            ref={scrollbarRef}
            className="timeline-rows-scrollbar"
            data-testid="timeline-rows-scrollbar"
            title="Scroll the timeline's rows (Shift+wheel over them)"
            style={{ flex: 'none', width: 14, overflowX: 'hidden', overflowY: 'scroll' }}
            onScroll={(event) => engineRef.current?.scrollRowsTo(event.currentTarget.scrollTop)}
          >
            <div style={{ height: overflow.contentHeight }} />
          </div>
        )}
      </div>
    </section>
  );
}
