import {
  isPlaced,
  transformPoint,
  type Box,
  type PosePoint,
  type SkeletonHandle,
  type SkeletonTemplate,
  type ViewTransform,
} from '../../../../shared/domain/labels';
import type { BoxHandle, DragPreview } from '../tools/overlayTool';
import { skeletonHandles } from './overlayHitTest';
import type { OverlayScene, OverlayTrack } from './overlayScene';
import { edgeSide, sideColor, sideOf, type Side } from './sideColors';

/*
 * The overlay's pictures as plain functions over a 2D context, in screen pixels: sizes stay the
 * same on screen at any zoom, and each track is a handful of paths (edges, filled points, hollow
 * points) rather than a node per point, which is what keeps a full redraw cheap.
 */

const POINT_RADIUS = 4;
const SELECTED_TRACK_POINT_RADIUS = 5;
const EDGE_WIDTH = 2;
const SELECTED_TRACK_EDGE_WIDTH = 3;
/**
 * Interpolated poses are nobody's decision yet: fainter, with hairline edges and smaller points,
 * so keyframes stand out. Not dashed: dashes cost several times a solid line in Chromium's
 * software raster (measured: 300 dashed edges ~6.6 ms against ~0.3 ms as hairlines).
 */
const INTERPOLATED_ALPHA = 0.6;
const INTERPOLATED_EDGE_WIDTH = 1;
const OUTLINE = 'rgba(0, 0, 0, 0.75)';
const SELECTION_RING_RADIUS = 9;
const HANDLE_SIZE = 8;
const LABEL_FONT = '12px system-ui, sans-serif';

/** What the static picture leaves out because the drag layer is drawing it. */
export type HiddenItem =
  | { readonly kind: 'point'; readonly trackId: string; readonly index: number }
  | { readonly kind: 'track'; readonly trackId: string }
  | { readonly kind: 'box'; readonly boxId: string }
  | null;

type Screen = { x: number; y: number };

function toScreen(t: ViewTransform, x: number, y: number): Screen {
  return { x: t.offsetX + x * t.scale, y: t.offsetY + y * t.scale };
}

function addMarker(ctx: CanvasRenderingContext2D, point: PosePoint, at: Screen, r: number): void {
  // Model proposals are squares until a person touches them (PRODUCT: marked as model output).
  if (point.source === 'model') {
    ctx.moveTo(at.x - r, at.y - r);
    ctx.rect(at.x - r, at.y - r, 2 * r, 2 * r);
  } else {
    ctx.moveTo(at.x + r, at.y);
    ctx.arc(at.x, at.y, r, 0, 2 * Math.PI);
  }
}

const SIDES: readonly Side[] = ['middle', 'left', 'right'];
const templateSides = new WeakMap<SkeletonTemplate, readonly Side[]>();

/** Each keypoint's side, once per template (templates are long-lived project data). */
function sidesOf(template: SkeletonTemplate): readonly Side[] {
  let sides = templateSides.get(template);
  if (!sides) {
    sides = template.keypoints.map(sideOf);
    templateSides.set(template, sides);
  }
  return sides;
}

function drawTrack(
  ctx: CanvasRenderingContext2D,
  track: OverlayTrack,
  t: ViewTransform,
  selected: boolean,
  hiddenIndex: number,
): void {
  const pose = track.pose;
  if (!pose) return;
  const { points } = pose;
  const screen: (Screen | null)[] = points.map((p, i) =>
    isPlaced(p) && i !== hiddenIndex ? toScreen(t, p.x, p.y) : null,
  );
  ctx.save();
  if (!pose.isKeyframe) ctx.globalAlpha = INTERPOLATED_ALPHA;
  ctx.lineWidth = !pose.isKeyframe
    ? INTERPOLATED_EDGE_WIDTH
    : selected
      ? SELECTED_TRACK_EDGE_WIDTH
      : EDGE_WIDTH;
  const sides = sidesOf(track.template);
  // One path per side: three strokes and fills a track, not one per point.
  for (const side of SIDES) {
    ctx.strokeStyle = sideColor(track.color, side);
    ctx.beginPath();
    for (const [a, b] of track.template.skeleton) {
      // Template edges are 1-based, as COCO writes them.
      const from = screen[a - 1];
      const to = screen[b - 1];
      if (!from || !to) continue;
      if (edgeSide(sides[a - 1] ?? 'middle', sides[b - 1] ?? 'middle') !== side) continue;
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
    }
    ctx.stroke();
  }

  const r = pose.isKeyframe
    ? selected
      ? SELECTED_TRACK_POINT_RADIUS
      : POINT_RADIUS
    : POINT_RADIUS - 1;
  for (const side of SIDES) {
    let visible = 0;
    let occluded = 0;
    for (let i = 0; i < points.length; i++) {
      if (!screen[i] || sides[i] !== side) continue;
      if (points[i]?.visibility === 'visible') visible += 1;
      else if (points[i]?.visibility === 'occluded') occluded += 1;
    }
    if (visible > 0) {
      ctx.beginPath();
      for (let i = 0; i < points.length; i++) {
        const point = points[i];
        const at = screen[i];
        if (at && point?.visibility === 'visible' && sides[i] === side)
          addMarker(ctx, point, at, r);
      }
      ctx.fillStyle = sideColor(track.color, side);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = OUTLINE;
      ctx.stroke();
    }
    if (occluded > 0) {
      // Occluded points are hollow: labeled where they are, but not seen.
      ctx.beginPath();
      for (let i = 0; i < points.length; i++) {
        const point = points[i];
        const at = screen[i];
        if (at && point?.visibility === 'occluded' && sides[i] === side)
          addMarker(ctx, point, at, r);
      }
      ctx.lineWidth = 2;
      ctx.strokeStyle = sideColor(track.color, side);
      ctx.stroke();
    }
  }

  let top: Screen | null = null;
  for (const at of screen) if (at && (!top || at.y < top.y)) top = at;
  if (top) drawCaption(ctx, track.label, top.x, top.y - r - 6, track.color, 'center');
  ctx.restore();
}

function drawCaption(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  color: string,
  align: CanvasTextAlign,
): void {
  ctx.font = LABEL_FONT;
  ctx.textAlign = align;
  ctx.textBaseline = 'bottom';
  ctx.lineWidth = 3;
  ctx.strokeStyle = OUTLINE;
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}

function drawSelectionRing(ctx: CanvasRenderingContext2D, at: Screen): void {
  ctx.beginPath();
  ctx.arc(at.x, at.y, SELECTION_RING_RADIUS, 0, 2 * Math.PI);
  ctx.lineWidth = 3;
  ctx.strokeStyle = OUTLINE;
  ctx.stroke();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
}

function drawBoxShape(
  ctx: CanvasRenderingContext2D,
  box: Box,
  t: ViewTransform,
  color: string,
  selected: boolean,
  caption: string | null,
): void {
  const at = toScreen(t, box.x, box.y);
  const w = box.w * t.scale;
  const h = box.h * t.scale;
  ctx.lineWidth = selected ? 3 : 2;
  ctx.strokeStyle = color;
  ctx.strokeRect(at.x, at.y, w, h);
  if (caption) drawCaption(ctx, caption, at.x, at.y - 3, color, 'left');
  if (!selected) return;
  const corners: Record<BoxHandle, Screen> = {
    nw: at,
    ne: { x: at.x + w, y: at.y },
    sw: { x: at.x, y: at.y + h },
    se: { x: at.x + w, y: at.y + h },
  };
  ctx.fillStyle = '#ffffff';
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  for (const corner of Object.values(corners)) {
    const half = HANDLE_SIZE / 2;
    ctx.fillRect(corner.x - half, corner.y - half, HANDLE_SIZE, HANDLE_SIZE);
    ctx.strokeRect(corner.x - half, corner.y - half, HANDLE_SIZE, HANDLE_SIZE);
  }
}

/** Open comments in orange, resolved ones grey. */
const COMMENT_OPEN = '#ff8c1a';
const COMMENT_RESOLVED = '#9a9a9a';

/**
 * A review comment's marker: a small flag up and to the right of its place, with a stem to it,
 * so the point or box corner it names stays visible (and clickable) under it.
 */
function drawCommentPin(ctx: CanvasRenderingContext2D, at: Screen, resolved: boolean): void {
  const flag = { x: at.x + 10, y: at.y - 14 };
  ctx.save();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = OUTLINE;
  ctx.beginPath();
  ctx.moveTo(at.x, at.y);
  ctx.lineTo(flag.x, flag.y);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(flag.x, flag.y, 7, 0, 2 * Math.PI);
  ctx.fillStyle = resolved ? COMMENT_RESOLVED : COMMENT_OPEN;
  ctx.fill();
  ctx.stroke();
  ctx.font = LABEL_FONT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = OUTLINE;
  ctx.fillText('!', flag.x, flag.y + 0.5);
  ctx.restore();
}

/** Everything but the item being dragged: skeletons, points, the selection, contact boxes. */
export function drawScene(
  ctx: CanvasRenderingContext2D,
  scene: OverlayScene,
  t: ViewTransform,
  hidden: HiddenItem,
): void {
  for (const shown of scene.boxes) {
    if (hidden?.kind === 'box' && hidden.boxId === shown.boxId) continue;
    const selected = shown.boxId === scene.selectedBoxId;
    // Interpolated boxes are fainter, as interpolated skeletons are: nobody has set them yet.
    ctx.save();
    if (!shown.isKeyframe) ctx.globalAlpha = INTERPOLATED_ALPHA;
    drawBoxShape(ctx, shown.box, t, shown.color, selected, shown.label);
    ctx.restore();
  }
  for (const track of scene.tracks) {
    if (hidden?.kind === 'track' && hidden.trackId === track.id) continue;
    const hiddenIndex = hidden?.kind === 'point' && hidden.trackId === track.id ? hidden.index : -1;
    drawTrack(ctx, track, t, track.id === scene.selectedTrackId, hiddenIndex);
  }
  for (const pin of scene.commentPins ?? [])
    drawCommentPin(ctx, toScreen(t, pin.x, pin.y), pin.resolved);
  const box = skeletonHandles(scene, t);
  if (box && !(hidden?.kind === 'track' && hidden.trackId === box.trackId)) {
    drawSkeletonBox(ctx, box.handles);
  }
  if (scene.selectedPoint === null) return;
  const selected = scene.tracks.find((tr) => tr.id === scene.selectedTrackId);
  const point = selected?.pose?.points[scene.selectedPoint];
  const isHidden =
    hidden?.kind === 'point' &&
    hidden.trackId === selected?.id &&
    hidden.index === scene.selectedPoint;
  if (isPlaced(point) && !isHidden) drawSelectionRing(ctx, toScreen(t, point.x, point.y));
}

/** The dragged item alone: a point with the edges that meet it, or a box. */
export function drawPreview(
  ctx: CanvasRenderingContext2D,
  scene: OverlayScene,
  t: ViewTransform,
  preview: DragPreview,
): void {
  if (preview.kind === 'box') {
    const shown = scene.boxes.find((b) => b.boxId === preview.boxId);
    ctx.save();
    if (!shown) ctx.setLineDash([6, 4]);
    drawBoxShape(ctx, preview.box, t, shown?.color ?? '#ffffff', true, shown?.label ?? null);
    ctx.restore();
    return;
  }
  const track = scene.tracks.find((tr) => tr.id === preview.trackId);
  const shown = track?.pose;
  if (!track || !shown) return;
  const points = shown.points;
  if (preview.kind === 'skeleton') {
    const { dx, dy } = preview;
    const moved = points.map((p) => (isPlaced(p) ? { ...p, x: p.x + dx, y: p.y + dy } : p));
    drawTrack(ctx, { ...track, pose: { ...shown, points: moved } }, t, true, -1);
    return;
  }
  if (preview.kind === 'skeletonTransform') {
    const moved = points.map((p) =>
      isPlaced(p) ? { ...p, ...transformPoint(p, preview.transform) } : p,
    );
    drawTrack(ctx, { ...track, pose: { ...shown, points: moved } }, t, true, -1);
    return;
  }
  const at = toScreen(t, preview.at.x, preview.at.y);
  const slot = preview.index + 1;
  ctx.save();
  ctx.strokeStyle = track.color;
  ctx.lineWidth = SELECTED_TRACK_EDGE_WIDTH;
  ctx.beginPath();
  for (const [a, b] of track.template.skeleton) {
    const other = a === slot ? points[b - 1] : b === slot ? points[a - 1] : undefined;
    if (!isPlaced(other)) continue;
    const to = toScreen(t, other.x, other.y);
    ctx.moveTo(at.x, at.y);
    ctx.lineTo(to.x, to.y);
  }
  ctx.stroke();
  const point = points[preview.index];
  if (point) {
    ctx.beginPath();
    addMarker(ctx, point, at, SELECTED_TRACK_POINT_RADIUS);
    if (point.visibility === 'occluded') {
      ctx.lineWidth = 2;
      ctx.stroke();
    } else {
      ctx.fillStyle = track.color;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = OUTLINE;
      ctx.stroke();
    }
  }
  drawSelectionRing(ctx, at);
  ctx.restore();
}

/** The whole selected skeleton's box: dashed, four scale handles and a rotation handle above. */
function drawSkeletonBox(
  ctx: CanvasRenderingContext2D,
  handles: Record<SkeletonHandle, { x: number; y: number }>,
): void {
  const { nw, se, rotate } = handles;
  ctx.save();
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 1;
  ctx.setLineDash([5, 4]);
  ctx.strokeRect(nw.x, nw.y, se.x - nw.x, se.y - nw.y);
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(rotate.x, nw.y);
  ctx.lineTo(rotate.x, rotate.y);
  ctx.stroke();
  ctx.fillStyle = '#ffffff';
  ctx.strokeStyle = OUTLINE;
  for (const handle of ['nw', 'ne', 'sw', 'se'] as const) {
    const at = handles[handle];
    ctx.fillRect(at.x - 4, at.y - 4, 8, 8);
    ctx.strokeRect(at.x - 4, at.y - 4, 8, 8);
  }
  ctx.beginPath();
  ctx.arc(rotate.x, rotate.y, 5, 0, Math.PI * 2);
  ctx.fill();
  ctx.stroke();
  ctx.restore();
}
