/**
 * Thin adapters from the labels model to the plain arrays the metrics read. Everything else in
 * this folder knows nothing of tracks, segments or contact labels.
 */
import {
  isPlaced,
  objectBoxAt,
  poseAt,
  type BoxTrack,
  trackSpan,
  type ContactLabel,
  type ContactState,
  type Pose,
  type Segment,
  type Track,
} from '../labels';
import { boxIoU, categoricalAgreement, type Agreement, type ConfusionMatrix } from './agreement';
import { meanOf, type LabeledPoints, type Point, type Rect } from './geometry';
import type { PosePair } from './oks';
import type { FrameLabel } from './segmentMetrics';

/** A pose's points as the metrics read them: visible and occluded points, `null` for the rest. */
export function labeledPointsOf(pose: Pose, keypointCount: number): LabeledPoints {
  const points: (Point | null)[] = [];
  for (let i = 0; i < keypointCount; i++) {
    const point = pose.points[i];
    points.push(isPlaced(point) ? { x: point.x, y: point.y } : null);
  }
  return points;
}

/**
 * The two annotators' poses of one track on every frame both labeled: frames inside both tracks'
 * keyframe spans, interpolated between keyframes as the player shows them (`poseAt`). `frames`
 * narrows the comparison (e.g. to keyframes only); frames outside either span are skipped.
 */
export function trackPosePairs(
  reference: Track,
  other: Track,
  keypointCount: number,
  frames?: Iterable<number>,
): PosePair[] {
  const pairs: PosePair[] = [];
  const add = (frame: number): void => {
    const a = poseAt(reference, frame);
    const b = poseAt(other, frame);
    if (!a || !b) return;
    pairs.push({
      frame,
      reference: labeledPointsOf(a, keypointCount),
      other: labeledPointsOf(b, keypointCount),
    });
  };
  if (frames) {
    for (const frame of frames) add(frame);
    return pairs;
  }
  const spanA = trackSpan(reference);
  const spanB = trackSpan(other);
  if (!spanA || !spanB) return pairs;
  for (let f = Math.max(spanA.first, spanB.first); f <= Math.min(spanA.last, spanB.last); f++) {
    add(f);
  }
  return pairs;
}

/** Verb and noun together, the action class EPIC-KITCHENS scores; unlabeled parts are "?". */
export function actionLabelOf(segment: Segment): string {
  return `${segment.verbId === null ? '?' : String(segment.verbId)}:${segment.nounId === null ? '?' : String(segment.nounId)}`;
}

/**
 * One timeline row as a frame-wise labeling over frames 0 … frameCount − 1 (our segments are
 * inclusive at both ends); uncovered frames are background (`null`). Where segments of the row
 * overlap (projects that allow it), the one starting later wins, since one frame holds one label
 * in this representation. Neighbouring segments with the same label become one segment, as they
 * would in any frame-wise evaluation.
 */
export function frameLabelsFromSegments(
  segments: readonly Segment[],
  frameCount: number,
  options: { readonly actor?: string; readonly labelOf?: (segment: Segment) => FrameLabel } = {},
): FrameLabel[] {
  const labelOf = options.labelOf ?? actionLabelOf;
  const labels = new Array<FrameLabel>(frameCount).fill(null);
  const row = segments
    .filter((s) => options.actor === undefined || s.actor === options.actor)
    .sort((a, b) => a.startFrame - b.startFrame || a.endFrame - b.endFrame);
  for (const segment of row) {
    const label = labelOf(segment);
    const last = Math.min(segment.endFrame, frameCount - 1);
    for (let f = Math.max(0, segment.startFrame); f <= last; f++) labels[f] = label;
  }
  return labels;
}

/** A hand track's contact state per frame, `null` where no contact label covers the frame. */
export function contactStatesByFrame(
  contacts: readonly ContactLabel[],
  trackId: string,
  frameCount: number,
): (ContactState | null)[] {
  const states = new Array<ContactState | null>(frameCount).fill(null);
  for (const contact of contacts) {
    if (contact.trackId !== trackId) continue;
    const last = Math.min(contact.endFrame, frameCount - 1);
    for (let f = Math.max(0, contact.startFrame); f <= last; f++) states[f] = contact.state;
  }
  return states;
}

/** 100DOH's five contact states, the classes of the contact confusion matrix. */
export const CONTACT_STATES: readonly ContactState[] = [0, 1, 2, 3, 4];

export type ContactAgreement = Agreement & {
  readonly confusion: ConfusionMatrix<ContactState>;
  /** Mean IoU of the object boxes over frames where both annotators boxed an object. */
  readonly objectBoxIoU: number | null;
  readonly framesWithBothBoxes: number;
};

/**
 * Contact-state agreement of two annotators on one hand track, frame by frame over the frames
 * both labeled, and the IoU of their object boxes where both drew one.
 */
export function contactAgreement(
  reference: readonly ContactLabel[],
  other: readonly ContactLabel[],
  trackId: string,
  frameCount: number,
  /** Each side's box tracks, where its contacts' objects are (version 2 documents). */
  boxTracks: { reference?: readonly BoxTrack[]; other?: readonly BoxTrack[] } = {},
): ContactAgreement {
  const states = categoricalAgreement(
    contactStatesByFrame(reference, trackId, frameCount),
    contactStatesByFrame(other, trackId, frameCount),
    CONTACT_STATES,
  );
  const boxesA = objectBoxesByFrame(reference, trackId, frameCount, boxTracks.reference ?? []);
  const boxesB = objectBoxesByFrame(other, trackId, frameCount, boxTracks.other ?? []);
  const ious: number[] = [];
  boxesA.forEach((a, f) => {
    const b = boxesB[f] ?? null;
    if (a !== null && b !== null) ious.push(boxIoU(a, b));
  });
  return { ...states, objectBoxIoU: meanOf(ious), framesWithBothBoxes: ious.length };
}

function objectBoxesByFrame(
  contacts: readonly ContactLabel[],
  trackId: string,
  frameCount: number,
  boxTracks: readonly BoxTrack[],
): (Rect | null)[] {
  const boxes = new Array<Rect | null>(frameCount).fill(null);
  const doc = { tracks: [], segments: [], contacts, boxTracks };
  for (const contact of contacts) {
    if (contact.trackId !== trackId || contact.object === null) continue;
    const last = Math.min(contact.endFrame, frameCount - 1);
    for (let f = Math.max(0, contact.startFrame); f <= last; f++) {
      boxes[f] = objectBoxAt(doc, contact, f)?.box ?? null;
    }
  }
  return boxes;
}
