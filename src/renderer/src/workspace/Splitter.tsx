import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

/** Arrow keys move a splitter by this much; with Shift, by four times as much. */
const KEY_STEP_PX = 16;

export type SplitterProps = {
  /** `vertical` sits between columns and moves sideways; `horizontal` between rows. */
  orientation: 'vertical' | 'horizontal';
  label: string;
  /** The id of the panel it sizes. */
  controls: string;
  value: number;
  min: number;
  max: number;
  /**
   * +1 when moving the pointer right (or down) grows the panel, as for a panel left of (or above)
   * its splitter; −1 for the side panel right of its splitter and the timeline below its own.
   */
  growsWith: 1 | -1;
  /** While dragging, at pointer rate: written straight into the DOM by the caller. */
  onLive(value: number): void;
  /** Once the drag ends or a key is pressed: the size to keep. */
  onCommit(value: number): void;
};

/**
 * A WAI-ARIA window splitter: drag it, or focus it and use the arrow keys. Dragging writes the size
 * through `onLive` (no React render per pointer move) and commits once on release.
 */
export function Splitter(props: SplitterProps) {
  const drag = useRef<{ start: number; value: number; latest: number } | null>(null);
  const clamp = (value: number) => Math.round(Math.min(props.max, Math.max(props.min, value)));
  const coordinate = (event: PointerEvent) =>
    props.orientation === 'vertical' ? event.clientX : event.clientY;

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { start: coordinate(event), value: props.value, latest: props.value };
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const current = drag.current;
    if (!current) return;
    current.latest = clamp(current.value + props.growsWith * (coordinate(event) - current.start));
    props.onLive(current.latest);
  };
  const onPointerUp = () => {
    const current = drag.current;
    drag.current = null;
    if (current && current.latest !== current.value) props.onCommit(current.latest);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? KEY_STEP_PX * 4 : KEY_STEP_PX;
    const forward = props.orientation === 'vertical' ? 'ArrowRight' : 'ArrowDown';
    const back = props.orientation === 'vertical' ? 'ArrowLeft' : 'ArrowUp';
    let next: number | null = null;
    if (event.key === forward) next = props.value + props.growsWith * step;
    else if (event.key === back) next = props.value - props.growsWith * step;
    else if (event.key === 'Home') next = props.min;
    else if (event.key === 'End') next = props.max;
    if (next === null) return;
    // The player's arrow keys step frames; here they move the splitter.
    event.preventDefault();
    event.stopPropagation();
    props.onCommit(clamp(next));
  };

  return (
    <div
      className={`splitter splitter-${props.orientation}`}
      role="separator"
      tabIndex={0}
      aria-label={props.label}
      aria-controls={props.controls}
      // A separator between columns is itself vertical, and says so.
      aria-orientation={props.orientation}
      aria-valuenow={props.value}
      aria-valuemin={props.min}
      aria-valuemax={props.max}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}
