import type { Command, Segment } from '../../../../shared/domain/labels';
import {
  boundaryAtX,
  frameAtX,
  hitTest,
  rowNeighbours,
  type RowLayout,
  type SegmentIndex,
  type TimelineHit,
  type Viewport,
} from './timelineView';

/**
 * The timeline's pointer tool as an explicit state machine (STYLE §6): idle → pressing →
 * dragging an edge, dragging the body, creating a segment (a drag on a row's empty space, as in
 * ELAN and Label Studio), or scrubbing the ruler; one handler per event, each
 * returning the effects for the engine to carry out, so every gesture runs in a unit test.
 */

/** What the tool sees of the timeline when an event arrives. */
export type ToolContext = {
  readonly view: Viewport;
  readonly layout: RowLayout;
  readonly index: SegmentIndex;
  readonly frameCount: number;
  /** Whether the project lets segments of one row overlap; if not, drags stop at neighbours. */
  readonly allowOverlap: boolean;
};

export type Effect =
  | { readonly type: 'seek'; readonly frame: number }
  | { readonly type: 'select'; readonly segmentId: string | null }
  | { readonly type: 'command'; readonly command: Command }
  | { readonly type: 'requestLabel'; readonly segmentId: string };

/** Where a dragged segment is drawn until release: frames inclusive, as the domain's. */
export type DragPreview = {
  readonly segmentId: string;
  /** The row it is drawn in. */
  readonly actor: string;
  readonly startFrame: number;
  readonly endFrame: number;
};

type Bounds = { readonly min: number; readonly max: number };

export type ToolState =
  | { readonly name: 'idle' }
  | { readonly name: 'pressing'; readonly hit: TimelineHit; readonly downX: number }
  | {
      readonly name: 'draggingEdge';
      readonly original: Segment;
      readonly edge: 'start' | 'end';
      /** The range the dragged edge's frame may take. */
      readonly bounds: Bounds;
      readonly preview: DragPreview;
    }
  | {
      readonly name: 'draggingBody';
      readonly original: Segment;
      readonly grabFrame: number;
      /** The range the segment's start may take, keeping its length. */
      readonly bounds: Bounds;
      readonly preview: DragPreview;
    }
  | {
      readonly name: 'creating';
      /** The frame pressed on: one end of the new segment. */
      readonly anchor: number;
      /** The empty stretch of the row around the anchor (the whole clip if overlap is allowed). */
      readonly bounds: Bounds;
      readonly preview: DragPreview;
    }
  | { readonly name: 'scrubbing'; readonly frame: number };

/** Movement before a press becomes a drag, so a slightly shaky click still selects. */
export const DRAG_THRESHOLD_PX = 3;

/** A pointer position in the timeline's CSS pixels, from its top-left corner. */
export type PointerAt = { readonly x: number; readonly y: number };

const IDLE: ToolState = { name: 'idle' };

/**
 * A version 4 UUID from getRandomValues: crypto.randomUUID exists only in secure contexts, and
 * the timeline also runs in pages that are not (a component mounted in a blank test page).
 */
function randomUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function clamp(value: number, bounds: Bounds): number {
  return Math.min(bounds.max, Math.max(bounds.min, value));
}

/** Frames an edge or a moved segment may reach: the clip, and the row's neighbours unless overlap is allowed. */
function limits(segment: Segment, ctx: ToolContext): { lowest: number; highest: number } {
  let lowest = 0;
  let highest = Math.max(0, ctx.frameCount - 1);
  if (!ctx.allowOverlap) {
    const { previousEnd, nextStart } = rowNeighbours(ctx.index, segment);
    if (previousEnd !== null) lowest = Math.max(lowest, previousEnd + 1);
    if (nextStart !== null) highest = Math.min(highest, nextStart - 1);
  }
  return { lowest, highest };
}

function startDrag(pressed: TimelineHit & { kind: 'segment' }, ctx: ToolContext): ToolState {
  const original = ctx.index.byId.get(pressed.segmentId);
  if (!original) return IDLE;
  const { lowest, highest } = limits(original, ctx);
  const preview = {
    segmentId: original.id,
    actor: original.actor,
    startFrame: original.startFrame,
    endFrame: original.endFrame,
  };
  if (pressed.part === 'start') {
    return {
      name: 'draggingEdge',
      original,
      edge: 'start',
      bounds: { min: Math.min(lowest, original.startFrame), max: original.endFrame },
      preview,
    };
  }
  if (pressed.part === 'end') {
    return {
      name: 'draggingEdge',
      original,
      edge: 'end',
      bounds: { min: original.startFrame, max: Math.max(highest, original.endFrame) },
      preview,
    };
  }
  const length = original.endFrame - original.startFrame;
  return {
    name: 'draggingBody',
    original,
    grabFrame: pressed.frame,
    bounds: {
      min: Math.min(lowest, original.startFrame),
      max: Math.max(highest - length, original.startFrame),
    },
    preview,
  };
}

/** A drag begun on a row's empty space: a new segment from the pressed frame. */
function startCreate(
  pressed: TimelineHit & { kind: 'row' },
  ctx: ToolContext,
  newId: string,
): ToolState {
  const anchor = pressed.frame;
  const probe = { id: '', startFrame: anchor, endFrame: anchor, actor: pressed.rowId };
  const { lowest, highest } = limits({ ...probe, verbId: null, nounId: null, note: '' }, ctx);
  return {
    name: 'creating',
    anchor,
    bounds: { min: lowest, max: highest },
    preview: { segmentId: newId, actor: pressed.rowId, startFrame: anchor, endFrame: anchor },
  };
}

function drag(state: ToolState, x: number, ctx: ToolContext): ToolState {
  switch (state.name) {
    case 'creating': {
      const frame = clamp(frameAtX(ctx.view, x, ctx.frameCount), state.bounds);
      const startFrame = Math.min(state.anchor, frame);
      const endFrame = Math.max(state.anchor, frame);
      return { ...state, preview: { ...state.preview, startFrame, endFrame } };
    }
    case 'draggingEdge': {
      const boundary = boundaryAtX(ctx.view, x, ctx.frameCount);
      // The start edge sits on the boundary before its frame; the end edge on the one after.
      const frame = clamp(state.edge === 'start' ? boundary : boundary - 1, state.bounds);
      const preview =
        state.edge === 'start'
          ? { ...state.preview, startFrame: frame }
          : { ...state.preview, endFrame: frame };
      return { ...state, preview };
    }
    case 'draggingBody': {
      const frame = frameAtX(ctx.view, x, ctx.frameCount);
      const startFrame = clamp(state.original.startFrame + frame - state.grabFrame, state.bounds);
      const length = state.original.endFrame - state.original.startFrame;
      return { ...state, preview: { ...state.preview, startFrame, endFrame: startFrame + length } };
    }
    case 'scrubbing':
      return { name: 'scrubbing', frame: frameAtX(ctx.view, x, ctx.frameCount) };
    default:
      return state;
  }
}

function finish(state: ToolState): Effect[] {
  if (state.name === 'creating') {
    const { segmentId, actor, startFrame, endFrame } = state.preview;
    const segment = { id: segmentId, actor, startFrame, endFrame, verbId: null, nounId: null };
    return [
      { type: 'command', command: { type: 'addSegment', segment: { ...segment, note: '' } } },
      { type: 'select', segmentId },
    ];
  }
  if (state.name !== 'draggingEdge' && state.name !== 'draggingBody') return [];
  const { original, preview } = state;
  const patch: { startFrame?: number; endFrame?: number } = {};
  if (preview.startFrame !== original.startFrame) patch.startFrame = preview.startFrame;
  if (preview.endFrame !== original.endFrame) patch.endFrame = preview.endFrame;
  if (patch.startFrame === undefined && patch.endFrame === undefined) return [];
  return [
    { type: 'select', segmentId: original.id },
    { type: 'command', command: { type: 'updateSegment', segmentId: original.id, patch } },
  ];
}

/** The effects of a click (a press released without dragging) on what was pressed. */
function click(hit: TimelineHit): Effect[] {
  switch (hit.kind) {
    case 'segment':
      return [{ type: 'select', segmentId: hit.segmentId }];
    case 'ruler':
    case 'ticks':
      return [{ type: 'seek', frame: hit.frame }];
    case 'row':
      return [
        { type: 'select', segmentId: null },
        { type: 'seek', frame: hit.frame },
      ];
    case 'none':
      return [];
  }
}

export class SegmentEdgeTool {
  private current: ToolState = IDLE;

  /** `newId` names a segment a drag creates (a UUID in the app, predictable in tests). */
  constructor(private readonly newId: () => string = randomUuid) {}

  get state(): ToolState {
    return this.current;
  }

  /** The dragged segment's edges while a drag is under way, else null. */
  get preview(): DragPreview | null {
    const s = this.current;
    return s.name === 'draggingEdge' || s.name === 'draggingBody' || s.name === 'creating'
      ? s.preview
      : null;
  }

  /** What the pointer is over, for the cursor; does not change the state. */
  hover(at: PointerAt, ctx: ToolContext): TimelineHit {
    return hitTest(ctx.view, ctx.layout, ctx.index, ctx.frameCount, at.x, at.y);
  }

  pointerDown(at: PointerAt, ctx: ToolContext): readonly Effect[] {
    const hit = hitTest(ctx.view, ctx.layout, ctx.index, ctx.frameCount, at.x, at.y);
    if (hit.kind === 'ruler') {
      // The ruler scrubs at once: seeking on press is what a playhead drag feels like.
      this.current = { name: 'scrubbing', frame: hit.frame };
      return [{ type: 'seek', frame: hit.frame }];
    }
    this.current = hit.kind === 'none' ? IDLE : { name: 'pressing', hit, downX: at.x };
    return [];
  }

  pointerMove(at: PointerAt, ctx: ToolContext): readonly Effect[] {
    const { x } = at;
    const s = this.current;
    if (s.name === 'pressing') {
      if (Math.abs(x - s.downX) < DRAG_THRESHOLD_PX) return [];
      if (s.hit.kind === 'segment') this.current = drag(startDrag(s.hit, ctx), x, ctx);
      else if (s.hit.kind === 'row')
        this.current = drag(startCreate(s.hit, ctx, this.newId()), x, ctx);
      return [];
    }
    if (s.name === 'scrubbing') {
      const next = drag(s, x, ctx);
      this.current = next;
      return next.name === 'scrubbing' && next.frame !== s.frame
        ? [{ type: 'seek', frame: next.frame }]
        : [];
    }
    this.current = drag(s, x, ctx);
    return [];
  }

  pointerUp(at: PointerAt, ctx: ToolContext): readonly Effect[] {
    const s = this.current;
    this.current = IDLE;
    switch (s.name) {
      case 'pressing':
        return click(s.hit);
      case 'draggingEdge':
      case 'draggingBody':
      case 'creating':
        return finish(drag(s, at.x, ctx));
      case 'scrubbing':
      case 'idle':
        return [];
    }
  }

  doubleClick(at: PointerAt, ctx: ToolContext): readonly Effect[] {
    this.current = IDLE;
    const hit = hitTest(ctx.view, ctx.layout, ctx.index, ctx.frameCount, at.x, at.y);
    if (hit.kind !== 'segment') return [];
    return [
      { type: 'select', segmentId: hit.segmentId },
      { type: 'requestLabel', segmentId: hit.segmentId },
    ];
  }

  /** Escape or a lost pointer: a drag in progress is dropped without a command. */
  cancel(): readonly Effect[] {
    this.current = IDLE;
    return [];
  }
}
