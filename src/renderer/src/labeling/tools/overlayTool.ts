import type {
  Box,
  Command,
  Point,
  SkeletonHandle,
  SkeletonTransform,
  Size,
} from '../../../../shared/domain/labels';
import type { OverlayScene } from '../overlay/overlayScene';

export type BoxHandle = 'nw' | 'ne' | 'sw' | 'se';

/** What lies under the pointer, found by the engine's own hit test in screen space. */
export type Hit =
  | { readonly kind: 'point'; readonly trackId: string; readonly index: number }
  | { readonly kind: 'box'; readonly boxId: string; readonly handle?: BoxHandle | undefined }
  /** A scale or rotation handle of the selected skeleton's box. */
  | { readonly kind: 'skeletonHandle'; readonly trackId: string; readonly handle: SkeletonHandle }
  | { readonly kind: 'empty' };

export type Modifiers = { readonly shift: boolean; readonly alt: boolean; readonly ctrl: boolean };

export const NO_MODIFIERS: Modifiers = { shift: false, alt: false, ctrl: false };

/**
 * A pointer event as tools see it. `video` is where labels live; `screen` is kept because click
 * and drag thresholds are a matter of how far the hand moved, whatever the zoom.
 */
export type ToolPointerEvent = {
  readonly video: Point;
  readonly screen: Point;
  readonly hit: Hit;
  readonly modifiers: Modifiers;
};

/** What the tool needs to know about the document and the picture at the moment of the event. */
export type ToolContext = {
  readonly scene: OverlayScene;
  readonly videoSize: Size;
};

export type SelectionChange = {
  readonly trackId: string | null;
  readonly point: number | null;
  readonly contactId?: string | null | undefined;
  readonly boxId?: string | null | undefined;
};

/** A transient drawing of the thing being dragged; nothing is stored until the release. */
export type DragPreview =
  | { readonly kind: 'point'; readonly trackId: string; readonly index: number; readonly at: Point }
  /** A whole skeleton moved by (dx, dy) video pixels. */
  | {
      readonly kind: 'skeleton';
      readonly trackId: string;
      readonly dx: number;
      readonly dy: number;
    }
  | { readonly kind: 'box'; readonly boxId: string | null; readonly box: Box }
  /** A whole skeleton scaled or rotated by its box's handles. */
  | {
      readonly kind: 'skeletonTransform';
      readonly trackId: string;
      readonly transform: SkeletonTransform;
    };

/** Everything a tool can ask of its host; the engine turns these into its events and drawing. */
export type ToolOutput =
  | { readonly type: 'command'; readonly command: Command }
  | { readonly type: 'select'; readonly selection: SelectionChange }
  | { readonly type: 'preview'; readonly preview: DragPreview | null }
  | { readonly type: 'boxDrawn'; readonly box: Box }
  | { readonly type: 'boxChanged'; readonly boxId: string; readonly box: Box };

/**
 * A tool is a state machine (idle → pointing → dragging) with one handler per event. Handlers
 * return what should happen instead of doing it, so a test drives a tool with plain objects.
 */
export interface OverlayTool {
  readonly state: string;
  pointerDown(event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[];
  pointerMove(event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[];
  pointerUp(event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[];
  /** Escape, a lost pointer capture, or a tool switch: drop the gesture without an edit. */
  cancel(): readonly ToolOutput[];
}

/** Screen pixels a press may wander and still count as a click (as tldraw's drag distance). */
export const CLICK_SLOP_PX = 3;

export function movedBeyondSlop(from: Point, to: Point): boolean {
  return Math.hypot(to.x - from.x, to.y - from.y) > CLICK_SLOP_PX;
}

export function clampToVideo(point: Point, size: Size): Point {
  return {
    x: Math.min(size.width, Math.max(0, point.x)),
    y: Math.min(size.height, Math.max(0, point.y)),
  };
}

export function insideVideo(point: Point, size: Size): boolean {
  return point.x >= 0 && point.y >= 0 && point.x <= size.width && point.y <= size.height;
}
