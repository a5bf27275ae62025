import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type CSSProperties,
  type ReactNode,
} from 'react';
import { useAppStore } from '../store/AppStoreContext';
import { Splitter } from './Splitter';
import {
  clampSidePanelWidth,
  clampTimelineHeight,
  SIDE_PANEL_LIMITS,
  TIMELINE_LIMITS,
  type WindowSize,
} from './workspaceLayout';

function windowSize(): WindowSize {
  return { width: window.innerWidth, height: window.innerHeight };
}

function useWindowSize(): WindowSize {
  const [size, setSize] = useState(windowSize);
  useEffect(() => {
    const onResize = () => setSize(windowSize());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return size;
}

/**
 * The clip workspace as a full-window grid: the stage takes what is left by a side panel on the
 * right (resizable, closable with Ctrl+B) and a timeline docked at the bottom (resizable), with a
 * status bar under them. Sizes are CSS variables on the grid, so a splitter drag moves them without
 * rendering the panels.
 */
export function WorkspaceGrid({
  stage,
  timeline,
  side,
  status,
  children,
}: {
  stage: ReactNode;
  timeline: ReactNode;
  side: ReactNode;
  status: ReactNode;
  children?: ReactNode;
}) {
  const layout = useAppStore((state) => state.layout);
  const setLayout = useAppStore((state) => state.setLayout);
  const toggleSidePanel = useAppStore((state) => state.toggleSidePanel);
  const gridRef = useRef<HTMLDivElement>(null);
  const size = useWindowSize();
  const sideWidth = clampSidePanelWidth(layout.sidePanelWidth, size);
  const timelineHeight = clampTimelineHeight(layout.timelineHeight, size);
  const sideMax = clampSidePanelWidth(SIDE_PANEL_LIMITS.max, size);
  const timelineMax = clampTimelineHeight(TIMELINE_LIMITS.max, size);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 'b') {
        return;
      }
      event.preventDefault();
      toggleSidePanel();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [toggleSidePanel]);

  const liveTimeline = useCallback((value: number) => {
    gridRef.current?.style.setProperty('--timeline-height', `${value}px`);
  }, []);
  const liveSidePanel = useCallback((value: number) => {
    gridRef.current?.style.setProperty('--side-panel-width', `${value}px`);
  }, []);

  return (
    <div
      className="workspace"
      ref={gridRef}
      data-side-panel={layout.sidePanelOpen ? 'open' : 'closed'}
      style={
        {
          '--side-panel-width': `${sideWidth}px`,
          '--timeline-height': `${timelineHeight}px`,
        } as CSSProperties
      }
    >
      <div className="workspace-stage">{stage}</div>
      <Splitter
        orientation="horizontal"
        label="Resize the timeline"
        controls="timeline-dock"
        value={timelineHeight}
        min={TIMELINE_LIMITS.min}
        max={timelineMax}
        growsWith={-1}
        onLive={liveTimeline}
        onCommit={(timelineHeight) => setLayout({ timelineHeight })}
      />
      <div className="workspace-timeline" id="timeline-dock">
        {timeline}
      </div>
      {layout.sidePanelOpen && (
        <Splitter
          orientation="vertical"
          label="Resize the side panel"
          controls="side-panel"
          value={sideWidth}
          min={SIDE_PANEL_LIMITS.min}
          max={sideMax}
          growsWith={-1}
          onLive={liveSidePanel}
          onCommit={(sidePanelWidth) => setLayout({ sidePanelWidth })}
        />
      )}
      {/* Hidden rather than unmounted: a half-filled form in a panel survives closing it. */}
      <aside
        className="labeling-sidebar"
        id="side-panel"
        aria-label="Labels"
        hidden={!layout.sidePanelOpen}
      >
        {side}
      </aside>
      <footer className="workspace-status">{status}</footer>
      {children}
    </div>
  );
}
