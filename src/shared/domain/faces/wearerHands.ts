import { boxAt, boxTracksOf, isPlaced, poseAt, type LabelsDocument } from '../labels';
import { blurRectsWithTracks, type FaceTrack, type PixelRect } from './faceTracks';

/** A camera wearer's hand on one frame, as a rectangle in the displayed picture's pixels. */
export type WearerHand = { readonly trackId: string; readonly rect: PixelRect };

/**
 * Keypoints mark joint centres; the hand reaches past them by about a finger's width, so their
 * bounding box grows by this share of its size on every side.
 */
const KEYPOINT_MARGIN = 0.15;

/**
 * Where the camera wearer's own hands are on `frame`, from the labels: every hand track linked to
 * the camera wearer gives its hand box (if it has one on this frame) and the box around its placed
 * keypoints. Hands of other people, and hands nobody linked yet, are not the wearer's.
 */
export function wearerHandsAt(
  doc: LabelsDocument,
  frame: number,
  size: { width: number; height: number },
): WearerHand[] {
  const hands: WearerHand[] = [];
  for (const track of doc.tracks) {
    if (track.kind === 'person' || track.link?.kind !== 'camera_wearer') continue;
    for (const boxTrack of boxTracksOf(doc)) {
      if (boxTrack.kind !== 'hand' || boxTrack.subjectId !== track.id) continue;
      const shown = boxAt(boxTrack, frame);
      if (!shown) continue;
      const { x, y, w, h } = shown.box;
      const rect = clippedRect(x, y, x + w, y + h, size);
      if (rect) hands.push({ trackId: track.id, rect });
    }
    const placed = (poseAt(track, frame)?.points ?? []).filter(isPlaced);
    if (placed.length === 0) continue;
    const xs = placed.map((p) => p.x);
    const ys = placed.map((p) => p.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const mx = Math.max(2, (x1 - x0) * KEYPOINT_MARGIN);
    const my = Math.max(2, (y1 - y0) * KEYPOINT_MARGIN);
    const rect = clippedRect(x0 - mx, y0 - my, x1 + mx, y1 + my, size);
    if (rect) hands.push({ trackId: track.id, rect });
  }
  return hands;
}

function clippedRect(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  size: { width: number; height: number },
): PixelRect | null {
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const right = Math.min(size.width, Math.ceil(x1));
  const bottom = Math.min(size.height, Math.ceil(y1));
  return right > left && bottom > top
    ? { x: left, y: top, width: right - left, height: bottom - top }
    : null;
}

/**
 * A face region given up for the wearer's hand: `excluded` when the hand covers all of it (the
 * detector took the hand, held close to the camera, for a face), `clipped` when the hand covers
 * part of it (the rest of the region is still blurred; behind the hand the face is hidden by it).
 */
export type WearerExclusion = {
  readonly trackId: string;
  readonly handTrackId: string;
  readonly action: 'excluded' | 'clipped';
};

/** What `blur_regions.json` says of the rule, for a recipient checking the blurring. */
export const WEARER_HANDS_RULE =
  "a face region is cut around each of the camera wearer's hands (hand boxes, and keypoint boxes grown by 15%); a region a hand covers whole is dropped";

/**
 * The rectangles to blur on `frame` (as `blurRectsAt`) with the camera wearer's hands never
 * blurred: each region is cut into the rectangles around the `hands` it overlaps, and dropped when
 * nothing is left. A face half behind the hand keeps its other half blurred: the cut gives up only
 * the hand's own pixels. Returns the rectangles and what was given up for which hand.
 */
export function blurRegionsAt(
  tracks: readonly FaceTrack[],
  frame: number,
  size: { width: number; height: number },
  padding: number,
  hands: readonly WearerHand[],
): { rects: PixelRect[]; exclusions: WearerExclusion[] } {
  const rects: PixelRect[] = [];
  const exclusions: WearerExclusion[] = [];
  for (const face of blurRectsWithTracks(tracks, frame, size, padding)) {
    const overlapping = hands.filter((hand) => overlapArea(face.rect, hand.rect) > 0);
    if (overlapping.length === 0) {
      rects.push(face.rect);
      continue;
    }
    let pieces = [face.rect];
    for (const hand of overlapping) pieces = pieces.flatMap((p) => subtract(p, hand.rect));
    rects.push(...pieces);
    const action = pieces.length === 0 ? 'excluded' : 'clipped';
    for (const handTrackId of new Set(overlapping.map((h) => h.trackId))) {
      exclusions.push({ trackId: face.trackId, handTrackId, action });
    }
  }
  return { rects, exclusions };
}

function overlapArea(a: PixelRect, b: PixelRect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** `a` without `b`: up to four rectangles (the bands above and below, then left and right). */
export function subtract(a: PixelRect, b: PixelRect): PixelRect[] {
  if (overlapArea(a, b) === 0) return [a];
  const ax1 = a.x + a.width;
  const ay1 = a.y + a.height;
  const top = Math.max(a.y, b.y);
  const bottom = Math.min(ay1, b.y + b.height);
  const out: PixelRect[] = [];
  if (b.y > a.y) out.push({ x: a.x, y: a.y, width: a.width, height: b.y - a.y });
  if (b.y + b.height < ay1) {
    out.push({ x: a.x, y: b.y + b.height, width: a.width, height: ay1 - (b.y + b.height) });
  }
  if (b.x > a.x) out.push({ x: a.x, y: top, width: b.x - a.x, height: bottom - top });
  if (b.x + b.width < ax1) {
    out.push({ x: b.x + b.width, y: top, width: ax1 - (b.x + b.width), height: bottom - top });
  }
  return out;
}

/** One stretch of frames on which a face track's region was given up for the same hand. */
export type ExclusionRun = WearerExclusion & { readonly firstFrame: number; lastFrame: number };

/**
 * Collects per-frame exclusions into runs of consecutive frames (what `blur_regions.json`
 * lists): feed frames in order.
 */
export class ExclusionRuns {
  readonly runs: ExclusionRun[] = [];
  readonly #open = new Map<string, ExclusionRun>();

  add(frame: number, exclusions: readonly WearerExclusion[]): void {
    for (const e of exclusions) {
      const key = `${e.trackId}\u0000${e.handTrackId}\u0000${e.action}`;
      const open = this.#open.get(key);
      if (open && open.lastFrame === frame - 1) {
        open.lastFrame = frame;
        continue;
      }
      const run: ExclusionRun = { ...e, firstFrame: frame, lastFrame: frame };
      this.runs.push(run);
      this.#open.set(key, run);
    }
  }
}
