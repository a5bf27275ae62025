import {
  isPlaced,
  skeletonBox,
  type SkeletonHandle,
  videoToScreen,
  type Box,
  type Point,
  type ViewTransform,
} from '../../../../shared/domain/labels';
import type { BoxHandle, Hit } from '../tools/overlayTool';
import type { OverlayScene } from './overlayScene';

/**
 * Screen px: a point is grabbed within this distance of its centre, whatever the zoom: its drawn
 * handle (5 px when its track is selected) and one pixel more. A click any further away places
 * the next point, so an eye can be placed a few pixels from the nose at the whole-picture zoom.
 */
export const POINT_HIT_RADIUS_PX = 6;
/** Screen px around a box corner that grabs its resize handle. */
export const HANDLE_HIT_RADIUS_PX = 7;

/**
 * The nearest drawn point within `POINT_HIT_RADIUS_PX` of `screen`. A linear scan in screen space
 * (a few hundred points) instead of a Konva hit region per point: one pass, no hit canvas to draw.
 * On a tie the selected track wins, else the later-drawn track (it is drawn on top).
 */
export function hitPoint(scene: OverlayScene, transform: ViewTransform, screen: Point): Hit {
  let best: Hit = { kind: 'empty' };
  let bestDistance = POINT_HIT_RADIUS_PX * POINT_HIT_RADIUS_PX;
  let bestSelected = false;
  for (const track of scene.tracks) {
    const points = track.pose?.points;
    if (!points) continue;
    const selected = track.id === scene.selectedTrackId;
    for (let index = 0; index < points.length; index++) {
      const point = points[index];
      if (!isPlaced(point)) continue;
      const dx = transform.offsetX + point.x * transform.scale - screen.x;
      const dy = transform.offsetY + point.y * transform.scale - screen.y;
      const distance = dx * dx + dy * dy;
      if (distance > bestDistance) continue;
      if (distance === bestDistance && bestSelected && !selected) continue;
      best = { kind: 'point', trackId: track.id, index };
      bestDistance = distance;
      bestSelected = selected;
    }
  }
  return best;
}

export function boxCorners(box: Box): Record<BoxHandle, Point> {
  return {
    nw: { x: box.x, y: box.y },
    ne: { x: box.x + box.w, y: box.y },
    sw: { x: box.x, y: box.y + box.h },
    se: { x: box.x + box.w, y: box.y + box.h },
  };
}

const HANDLES: readonly BoxHandle[] = ['nw', 'ne', 'sw', 'se'];

/**
 * A box's corner handle, else its body, under `screen`. The selected box is tried first (it is
 * the one being worked on), then the others from the top of the drawing order down.
 */
export function hitBox(scene: OverlayScene, transform: ViewTransform, screen: Point): Hit {
  const boxes = [...scene.boxes].reverse();
  const selected = boxes.findIndex((b) => b.boxId === scene.selectedBoxId);
  if (selected > 0) boxes.unshift(...boxes.splice(selected, 1));
  for (const { boxId, box } of boxes) {
    const corners = boxCorners(box);
    for (const handle of HANDLES) {
      const corner = videoToScreen(transform, corners[handle]);
      if (Math.hypot(corner.x - screen.x, corner.y - screen.y) <= HANDLE_HIT_RADIUS_PX) {
        return { kind: 'box', boxId, handle };
      }
    }
  }
  for (const { boxId, box } of boxes) {
    const topLeft = videoToScreen(transform, box);
    const right = topLeft.x + box.w * transform.scale;
    const bottom = topLeft.y + box.h * transform.scale;
    if (screen.x >= topLeft.x && screen.x <= right && screen.y >= topLeft.y && screen.y <= bottom) {
      return { kind: 'box', boxId };
    }
  }
  return { kind: 'empty' };
}

/** Screen px between a selected skeleton's outermost points and its box, so handles miss points. */
export const SKELETON_BOX_PAD_PX = 12;
/** Screen px from the box's top edge up to its rotation handle. */
export const ROTATE_HANDLE_OFFSET_PX = 26;

/**
 * The handles of the selected skeleton's box, in screen px: shown when the whole skeleton is
 * selected (its track, no single point) and it has two or more points on this frame.
 */
export function skeletonHandles(
  scene: OverlayScene,
  transform: ViewTransform,
): { trackId: string; handles: Record<SkeletonHandle, Point> } | null {
  if (scene.selectedPoint !== null || scene.selectedTrackId === null) return null;
  const track = scene.tracks.find((t) => t.id === scene.selectedTrackId);
  const points = track?.pose?.points.map((p) => (isPlaced(p) ? { x: p.x, y: p.y } : null));
  const box = points && skeletonBox(points);
  if (!track || !box) return null;
  const topLeft = videoToScreen(transform, { x: box.x0, y: box.y0 });
  const bottomRight = videoToScreen(transform, { x: box.x1, y: box.y1 });
  const x0 = topLeft.x - SKELETON_BOX_PAD_PX;
  const y0 = topLeft.y - SKELETON_BOX_PAD_PX;
  const x1 = bottomRight.x + SKELETON_BOX_PAD_PX;
  const y1 = bottomRight.y + SKELETON_BOX_PAD_PX;
  return {
    trackId: track.id,
    handles: {
      nw: { x: x0, y: y0 },
      ne: { x: x1, y: y0 },
      sw: { x: x0, y: y1 },
      se: { x: x1, y: y1 },
      rotate: { x: (x0 + x1) / 2, y: y0 - ROTATE_HANDLE_OFFSET_PX },
    },
  };
}

/** The selected skeleton's handle under `screen`, else empty. */
export function hitSkeletonHandle(
  scene: OverlayScene,
  transform: ViewTransform,
  screen: Point,
): Hit {
  const found = skeletonHandles(scene, transform);
  if (!found) return { kind: 'empty' };
  for (const [handle, at] of Object.entries(found.handles) as [SkeletonHandle, Point][]) {
    if (Math.hypot(at.x - screen.x, at.y - screen.y) <= HANDLE_HIT_RADIUS_PX) {
      return { kind: 'skeletonHandle', trackId: found.trackId, handle };
    }
  }
  return { kind: 'empty' };
}
