import { objectBoxAt, poseAt, type LabelsDocument } from '../../../../shared/domain/labels';
import { pinFrame, type ReviewComment } from '../../../../shared/domain/review';

/** A review comment's marker on the overlay, in video pixels of the displayed picture. */
export type OverlayCommentPin = {
  readonly commentId: string;
  readonly x: number;
  readonly y: number;
  readonly resolved: boolean;
};

/** Where a frame comment sits: the picture's top-left corner, clear of most labels. */
const FRAME_PIN = { x: 16, y: 16 };

/**
 * The markers to draw at `frame`: a frame comment in the corner, a point comment on its point
 * (where the pose puts it, interpolated or not), a contact comment on its object box while the
 * contact covers the frame. Segment comments have no place in the picture: the overlay lists them
 * in its corner badge instead (see `spanCommentsAt`).
 */
export function commentPinsAt(
  comments: readonly ReviewComment[],
  doc: LabelsDocument,
  frame: number,
): OverlayCommentPin[] {
  const pins: OverlayCommentPin[] = [];
  for (const comment of comments) {
    const pin = comment.pin;
    const resolved = comment.resolved !== null;
    if (pin.kind === 'frame' && pin.frame === frame) {
      pins.push({ commentId: comment.id, ...FRAME_PIN, resolved });
    } else if (pin.kind === 'point' && pin.frame === frame) {
      const track = doc.tracks.find((t) => t.id === pin.trackId);
      const point = track === undefined ? undefined : poseAt(track, frame)?.points[pin.index];
      if (point) pins.push({ commentId: comment.id, x: point.x, y: point.y, resolved });
      else pins.push({ commentId: comment.id, ...FRAME_PIN, resolved });
    } else if (pin.kind === 'contact') {
      const contact = doc.contacts.find((c) => c.id === pin.contactId);
      const box = contact ? objectBoxAt(doc, contact, frame)?.box : undefined;
      if (box) pins.push({ commentId: comment.id, x: box.x, y: box.y, resolved });
    }
  }
  return pins;
}

/** The frames of the timeline's comment ticks, one per comment that has one. */
export function commentTickFrames(
  comments: readonly ReviewComment[],
  doc: LabelsDocument,
): { frame: number; resolved: boolean }[] {
  return comments.flatMap((c) => {
    const frame = pinFrame(c.pin, doc);
    return frame === undefined ? [] : [{ frame, resolved: c.resolved !== null }];
  });
}

/** A segment or contact comment listed in the overlay's corner badge while its span is on screen. */
export type SpanComment = {
  readonly commentId: string;
  readonly kind: 'segment' | 'contact';
  readonly recordId: string;
  readonly text: string;
  readonly author: string;
  /** The row's colour: the actor's (or hand's) track colour, else the neutral row colour. */
  readonly color: string;
  readonly startFrame: number;
  readonly endFrame: number;
  readonly resolved: boolean;
};

/** The colour of a row with no track of its own (the camera wearer, a removed track). */
export const NEUTRAL_ROW_COLOR = '#4d5b69';

/**
 * The segment and contact comments whose span covers `frame` (both ends inclusive), in the
 * order given: a segment's pin has no point in the picture, so the overlay lists these in its
 * corner for as long as the player is inside the segment. A comment on a record removed since is
 * not listed (the comment list still shows it).
 */
export function spanCommentsAt(
  comments: readonly ReviewComment[],
  doc: LabelsDocument,
  frame: number,
): SpanComment[] {
  const colorOf = (trackId: string) =>
    doc.tracks.find((t) => t.id === trackId)?.color ?? NEUTRAL_ROW_COLOR;
  const listed: SpanComment[] = [];
  for (const comment of comments) {
    const pin = comment.pin;
    const span =
      pin.kind === 'segment'
        ? doc.segments.find((s) => s.id === pin.segmentId)
        : pin.kind === 'contact'
          ? doc.contacts.find((c) => c.id === pin.contactId)
          : undefined;
    if (span === undefined || frame < span.startFrame || frame > span.endFrame) continue;
    listed.push({
      commentId: comment.id,
      kind: pin.kind === 'segment' ? 'segment' : 'contact',
      recordId: span.id,
      text: comment.text,
      author: comment.author,
      color: colorOf('actor' in span ? span.actor : span.trackId),
      startFrame: span.startFrame,
      endFrame: span.endFrame,
      resolved: comment.resolved !== null,
    });
  }
  return listed;
}
