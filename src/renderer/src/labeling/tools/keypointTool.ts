import {
  emptyKeyframe,
  isIdentity,
  isPlaced,
  keyframeFromPose,
  rotationFromDrag,
  scaleFromCorner,
  skeletonBox,
  transformPoint,
  type SkeletonBox,
  type SkeletonHandle,
  type SkeletonTransform,
  type Command,
  type Keypoint,
  type Point,
  type Visibility,
} from '../../../../shared/domain/labels';
import type { OverlayTrack } from '../overlay/overlayScene';
import {
  clampToVideo,
  insideVideo,
  movedBeyondSlop,
  type OverlayTool,
  type ToolContext,
  type ToolOutput,
  type ToolPointerEvent,
} from './overlayTool';

type KeypointToolState =
  | { readonly name: 'idle' }
  | {
      readonly name: 'pointingPoint';
      readonly trackId: string;
      readonly index: number;
      readonly pressScreen: Point;
      readonly pressVideo: Point;
      readonly origin: Point;
    }
  | { readonly name: 'pointingEmpty'; readonly pressScreen: Point }
  /** Shift held on a point: the press and drag move the whole skeleton. */
  | {
      readonly name: 'pointingSkeleton' | 'draggingSkeleton';
      readonly trackId: string;
      readonly pressScreen: Point;
      readonly pressVideo: Point;
      readonly dx: number;
      readonly dy: number;
    }
  | {
      readonly name: 'dragging';
      readonly trackId: string;
      readonly index: number;
      readonly pressVideo: Point;
      readonly origin: Point;
      readonly at: Point;
    }
  /** A handle of the selected skeleton's box: scaling (a corner) or rotating it whole. */
  | {
      readonly name: 'transformingSkeleton';
      readonly trackId: string;
      readonly handle: SkeletonHandle;
      readonly box: SkeletonBox;
      readonly pressVideo: Point;
      readonly transform: SkeletonTransform;
    };

export type KeypointToolOptions = {
  /** Names one drag, so the undo stack never merges two drags of the same point. */
  readonly newGestureId?: () => string;
};

let gestureCounter = 0;
const defaultGestureId = (): string => `drag-${Date.now().toString(36)}-${++gestureCounter}`;

/**
 * Places and moves keypoints. A press on a point selects it and a drag moves it, drawn as a preview
 * and stored by one command on release. A click on empty space places the selected track's next
 * undecided point, or clears the point selection when there is nothing to place.
 *
 * Edits land on keyframes only (the domain refuses `setPoint` elsewhere), so an edit on an
 * interpolated frame or outside the track's span first makes the frame a keyframe: the pose shown
 * (`keyframeFromPose`) or an empty one. Both go in one batch, so one undo takes both back.
 */
export class KeypointTool implements OverlayTool {
  private current: KeypointToolState = { name: 'idle' };
  private readonly newGestureId: () => string;

  constructor(options: KeypointToolOptions = {}) {
    this.newGestureId = options.newGestureId ?? defaultGestureId;
  }

  get state(): KeypointToolState['name'] {
    return this.current.name;
  }

  pointerDown(event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[] {
    if (this.current.name !== 'idle') return [];
    const { hit } = event;
    if (hit.kind === 'skeletonHandle') {
      const track = findTrack(context, hit.trackId);
      const points = track?.pose?.points.map((p) => (isPlaced(p) ? { x: p.x, y: p.y } : null));
      const box = points && skeletonBox(points);
      if (!box) return [];
      this.current = {
        name: 'transformingSkeleton',
        trackId: hit.trackId,
        handle: hit.handle,
        box,
        pressVideo: event.video,
        transform: skeletonTransform(box, hit.handle, event.video, event.video),
      };
      return [];
    }
    if (hit.kind === 'point') {
      const track = findTrack(context, hit.trackId);
      const point = track?.pose?.points[hit.index];
      if (!track || !isPlaced(point)) return [];
      if (event.modifiers.shift) {
        this.current = {
          name: 'pointingSkeleton',
          trackId: hit.trackId,
          pressScreen: event.screen,
          pressVideo: event.video,
          dx: 0,
          dy: 0,
        };
        return [{ type: 'select', selection: { trackId: hit.trackId, point: hit.index } }];
      }
      this.current = {
        name: 'pointingPoint',
        trackId: hit.trackId,
        index: hit.index,
        pressScreen: event.screen,
        pressVideo: event.video,
        origin: { x: point.x, y: point.y },
      };
      return [{ type: 'select', selection: { trackId: hit.trackId, point: hit.index } }];
    }
    this.current = { name: 'pointingEmpty', pressScreen: event.screen };
    return [];
  }

  pointerMove(event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[] {
    const state = this.current;
    if (state.name === 'pointingPoint') {
      if (!movedBeyondSlop(state.pressScreen, event.screen)) return [];
      return this.drag(
        {
          name: 'dragging',
          trackId: state.trackId,
          index: state.index,
          pressVideo: state.pressVideo,
          origin: state.origin,
          at: state.origin,
        },
        event,
        context,
      );
    }
    if (state.name === 'dragging') return this.drag(state, event, context);
    if (state.name === 'transformingSkeleton') {
      const transform = skeletonTransform(state.box, state.handle, state.pressVideo, event.video);
      this.current = { ...state, transform };
      return [
        {
          type: 'preview',
          preview: { kind: 'skeletonTransform', trackId: state.trackId, transform },
        },
      ];
    }
    if (state.name === 'pointingSkeleton' || state.name === 'draggingSkeleton') {
      if (state.name === 'pointingSkeleton' && !movedBeyondSlop(state.pressScreen, event.screen)) {
        return [];
      }
      const dx = event.video.x - state.pressVideo.x;
      const dy = event.video.y - state.pressVideo.y;
      this.current = { ...state, name: 'draggingSkeleton', dx, dy };
      return [{ type: 'preview', preview: { kind: 'skeleton', trackId: state.trackId, dx, dy } }];
    }
    return [];
  }

  pointerUp(event: ToolPointerEvent, context: ToolContext): readonly ToolOutput[] {
    const state = this.current;
    this.current = { name: 'idle' };
    switch (state.name) {
      case 'idle':
      case 'pointingPoint':
        return [];
      case 'pointingSkeleton':
        // Shift+click: the whole skeleton is selected, and its box's handles scale and rotate it.
        return [{ type: 'select', selection: { trackId: state.trackId, point: null } }];
      case 'transformingSkeleton': {
        const track = findTrack(context, state.trackId);
        const transform = skeletonTransform(state.box, state.handle, state.pressVideo, event.video);
        const command =
          track && !isIdentity(transform)
            ? transformSkeleton(track, context, (p) => transformPoint(p, transform))
            : undefined;
        return [
          { type: 'preview', preview: null },
          ...(command ? [{ type: 'command', command } as const] : []),
        ];
      }
      case 'draggingSkeleton': {
        const track = findTrack(context, state.trackId);
        const command =
          track &&
          (state.dx !== 0 || state.dy !== 0) &&
          transformSkeleton(track, context, (p) => ({ x: p.x + state.dx, y: p.y + state.dy }));
        return [
          { type: 'preview', preview: null },
          ...(command ? [{ type: 'command', command } as const] : []),
        ];
      }
      case 'pointingEmpty':
        return movedBeyondSlop(state.pressScreen, event.screen)
          ? []
          : placeNextPoint(event.video, context, this.newGestureId());
      case 'dragging':
        return [{ type: 'preview', preview: null }, ...this.drop(state, context)];
    }
  }

  cancel(): readonly ToolOutput[] {
    const wasDragging =
      this.current.name === 'dragging' ||
      this.current.name === 'draggingSkeleton' ||
      this.current.name === 'transformingSkeleton';
    this.current = { name: 'idle' };
    return wasDragging ? [{ type: 'preview', preview: null }] : [];
  }

  private drag(
    state: Extract<KeypointToolState, { name: 'dragging' }>,
    event: ToolPointerEvent,
    context: ToolContext,
  ): readonly ToolOutput[] {
    const at = clampToVideo(
      {
        x: state.origin.x + event.video.x - state.pressVideo.x,
        y: state.origin.y + event.video.y - state.pressVideo.y,
      },
      context.videoSize,
    );
    this.current = { ...state, at };
    return [
      {
        type: 'preview',
        preview: { kind: 'point', trackId: state.trackId, index: state.index, at },
      },
    ];
  }

  private drop(
    state: Extract<KeypointToolState, { name: 'dragging' }>,
    context: ToolContext,
  ): readonly ToolOutput[] {
    const track = findTrack(context, state.trackId);
    const shown = track?.pose?.points[state.index];
    // The document changed under the drag (undo, another track removed): nothing to move any more.
    if (!track || !isPlaced(shown)) return [];
    const command = editPoint(
      track,
      context.scene.frame,
      state.index,
      manualPoint(state.at, shown.visibility),
      this.newGestureId(),
    );
    return [{ type: 'command', command }];
  }
}

function findTrack(context: ToolContext, trackId: string): OverlayTrack | undefined {
  return context.scene.tracks.find((t) => t.id === trackId);
}

function manualPoint(at: Point, visibility: Visibility): Keypoint {
  return { x: at.x, y: at.y, visibility, source: 'manual' };
}

/**
 * The scale or rotation a handle dragged from `press` to `pointer` makes. A corner scales by the
 * pointer's progress along the diagonal relative to where it was pressed, so grabbing the padded
 * handle (a little outside the points) starts at exactly 1.
 */
function skeletonTransform(
  box: SkeletonBox,
  handle: SkeletonHandle,
  press: Point,
  pointer: Point,
): SkeletonTransform {
  if (handle === 'rotate') return rotationFromDrag(box, press, pointer);
  const atPress = scaleFromCorner(box, handle, press);
  const now = scaleFromCorner(box, handle, pointer);
  if (atPress.kind !== 'scale' || now.kind !== 'scale') return now;
  return { ...now, factor: now.factor / atPress.factor };
}

/**
 * The whole pose shown on this frame with every placed point moved by `move` (a shift, a scale, a
 * rotation), kept inside the picture, as one keyframe: one command, one undo. Interpolated points
 * become the annotator's, as any edit makes them.
 */
function transformSkeleton(
  track: OverlayTrack,
  context: ToolContext,
  move: (p: Point) => Point,
): Command | undefined {
  const { pose } = track;
  if (!pose) return undefined;
  const keyframe = keyframeFromPose(pose, track.template.keypoints.length);
  const points = keyframe.points.map((point): Keypoint | null => {
    if (!isPlaced(point)) return point;
    const at = clampToVideo(move(point), context.videoSize);
    return { x: at.x, y: at.y, visibility: point.visibility, source: 'manual' };
  });
  return {
    type: 'setKeyframe',
    trackId: track.id,
    keyframe: { frame: context.scene.frame, points },
  };
}

/** `setPoint`, preceded by making the frame a keyframe when it is not one. */
function editPoint(
  track: OverlayTrack,
  frame: number,
  index: number,
  point: Keypoint,
  gesture: string,
): Command {
  const setPoint: Command = { type: 'setPoint', trackId: track.id, frame, index, point, gesture };
  const { pose } = track;
  if (pose?.isKeyframe) return setPoint;
  const count = track.template.keypoints.length;
  const keyframe = pose ? keyframeFromPose(pose, count) : emptyKeyframe(frame, count);
  return {
    type: 'batch',
    commands: [{ type: 'setKeyframe', trackId: track.id, keyframe }, setPoint],
  };
}

/** The first undecided slot at or after `from`, wrapping round; -1 when every slot is decided. */
function nextUndecided(points: readonly unknown[], count: number, from: number): number {
  for (let step = 0; step < count; step++) {
    const index = (from + step) % count;
    if (points[index] == null) return index;
  }
  return -1;
}

function placeNextPoint(at: Point, context: ToolContext, gesture: string): readonly ToolOutput[] {
  const { scene } = context;
  const track = scene.tracks.find((t) => t.id === scene.selectedTrackId);
  const deselect: ToolOutput = {
    type: 'select',
    selection: { trackId: scene.selectedTrackId, point: null },
  };
  if (!track || !insideVideo(at, context.videoSize)) return [deselect];
  const count = track.template.keypoints.length;
  const points = track.pose?.points ?? [];
  const selected = scene.selectedPoint;
  const slot =
    selected !== null && selected < count && !isPlaced(points[selected])
      ? selected
      : nextUndecided(points, count, 0);
  if (slot < 0) return [deselect];
  const command = editPoint(track, scene.frame, slot, manualPoint(at, 'visible'), gesture);
  const after = Array.from({ length: count }, (_, i) => (i === slot ? true : points[i]));
  const next = nextUndecided(after, count, slot + 1);
  return [
    { type: 'command', command },
    { type: 'select', selection: { trackId: track.id, point: next < 0 ? null : next } },
  ];
}
