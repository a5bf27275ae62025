import {
  panBy,
  zoomAt,
  zoomLimitsFor,
  type Point,
  type Size,
  type ViewState,
} from '../../../../shared/domain/labels';

/** Wheel delta (CSS px) that doubles or halves the zoom; one mouse notch (100) is about ×1.15. */
const WHEEL_PX_PER_DOUBLING = 500;

/** `WheelEvent.deltaMode`: lines and pages are turned into pixels, as browsers scroll them. */
const LINE_PX = 16;
const PAGE_PX = 800;

export function wheelDeltaPx(deltaY: number, deltaMode: number): number {
  return deltaMode === 1 ? deltaY * LINE_PX : deltaMode === 2 ? deltaY * PAGE_PX : deltaY;
}

/** The view after a wheel turn over `anchor` (screen px): the picture point under it stays put. */
export function wheelZoom(
  view: ViewState,
  video: Size,
  container: Size,
  anchor: Point,
  deltaPx: number,
): ViewState {
  const factor = 2 ** (-deltaPx / WHEEL_PX_PER_DOUBLING);
  return zoomAt(view, video, container, anchor, factor, zoomLimitsFor(video, container));
}

type ViewToolState = { readonly name: 'idle' } | { readonly name: 'panning'; readonly last: Point };

export const MIDDLE_BUTTON = 1;

/**
 * Pans the view with a middle-button drag, or a primary drag while Space is held (the host says
 * when, see `OverlayEngine.setPanMode`). Works in screen pixels: pan is an offset after zoom.
 */
export class ViewTool {
  private current: ViewToolState = { name: 'idle' };

  get state(): ViewToolState['name'] {
    return this.current.name;
  }

  /** Whether a press with `button` starts a pan rather than going to the labeling tool. */
  claims(button: number, panMode: boolean): boolean {
    return button === MIDDLE_BUTTON || (button === 0 && panMode);
  }

  pointerDown(screen: Point): void {
    this.current = { name: 'panning', last: screen };
  }

  /** The panned view, or undefined when no pan is under way. */
  pointerMove(screen: Point, view: ViewState): ViewState | undefined {
    const state = this.current;
    if (state.name !== 'panning') return undefined;
    this.current = { name: 'panning', last: screen };
    return panBy(view, screen.x - state.last.x, screen.y - state.last.y);
  }

  pointerUp(): void {
    this.current = { name: 'idle' };
  }

  cancel(): void {
    this.current = { name: 'idle' };
  }
}
