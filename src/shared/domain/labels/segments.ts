import { z } from 'zod';

const FrameIndex = z.number().int('must be a whole frame number').min(0, 'must be 0 or more');
const ClassRef = z.number().int('must be a whole number').min(0, 'must be 0 or more').nullable();

/**
 * An action segment: frames [startFrame, endFrame], **both inclusive** (EPIC-KITCHENS
 * `start_frame`/`stop_frame` style; Ego4D is end-exclusive, so its exporter must add one).
 * `verbId`/`nounId` refer to the project taxonomy and are null until labeled. `actor` names the
 * timeline row (a person track id, or a name such as "camera_wearer").
 */
export const SegmentFields = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    startFrame: FrameIndex,
    endFrame: FrameIndex,
    verbId: ClassRef,
    nounId: ClassRef,
    actor: z.string().min(1, 'must not be empty'),
    note: z.string(),
  })
  .strict();

export const Segment = SegmentFields.refine((s) => s.startFrame <= s.endFrame, {
  message: 'startFrame must not be after endFrame',
  path: ['endFrame'],
});
export type Segment = z.infer<typeof Segment>;

export type SegmentRules = {
  /** Frames in the clip; valid frames are 0 … frameCount − 1. */
  readonly frameCount: number;
  /** From the project schema: whether segments in one actor row may overlap. */
  readonly allowOverlap: boolean;
  /** A row's name for messages ("Person 1", "Camera wearer"); the actor as written otherwise. */
  readonly rowName?: ((actor: string) => string) | undefined;
};

export type SegmentErrorCode =
  'not_found' | 'duplicate_id' | 'out_of_range' | 'overlap' | 'split_outside' | 'not_adjacent';

export type SegmentError = { readonly code: SegmentErrorCode; readonly message: string };

export type SegmentResult =
  { ok: true; segments: readonly Segment[] } | { ok: false; error: SegmentError };

function fail(code: SegmentErrorCode, message: string): { ok: false; error: SegmentError } {
  return { ok: false, error: { code, message } };
}

/**
 * The canonical order of a segment list: by start, then end, then id. Every operation returns a
 * list in this order, so the same set of segments is always the same array (undo relies on it).
 */
export function compareSegments(a: Segment, b: Segment): number {
  return (
    a.startFrame - b.startFrame ||
    a.endFrame - b.endFrame ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function sorted(segments: readonly Segment[]): readonly Segment[] {
  return [...segments].sort(compareSegments);
}

function describe(segment: Segment): string {
  return `frames ${segment.startFrame}–${segment.endFrame}`;
}

/** Checks range and overlap of `candidate` against `others` (which must not contain it). */
function admit(
  others: readonly Segment[],
  candidate: Segment,
  rules: SegmentRules,
): SegmentError | undefined {
  if (
    !Number.isInteger(candidate.startFrame) ||
    !Number.isInteger(candidate.endFrame) ||
    candidate.startFrame < 0 ||
    candidate.endFrame > rules.frameCount - 1 ||
    candidate.startFrame > candidate.endFrame
  ) {
    return {
      code: 'out_of_range',
      message: `A segment must cover whole frames from 0 to ${rules.frameCount - 1} with its start not after its end; got ${describe(candidate)}.`,
    };
  }
  if (rules.allowOverlap) return undefined;
  const clash = others.find(
    (s) =>
      s.actor === candidate.actor &&
      s.startFrame <= candidate.endFrame &&
      candidate.startFrame <= s.endFrame,
  );
  if (clash) {
    return {
      code: 'overlap',
      message: `${describe(candidate)} overlaps the segment at ${describe(clash)} in the ${rules.rowName ? rules.rowName(candidate.actor) : `"${candidate.actor}"`} row; this project does not allow overlapping segments.`,
    };
  }
  return undefined;
}

function missing(id: string): { ok: false; error: SegmentError } {
  return fail('not_found', `There is no segment "${id}".`);
}

export function createSegment(
  segments: readonly Segment[],
  segment: Segment,
  rules: SegmentRules,
): SegmentResult {
  if (segments.some((s) => s.id === segment.id)) {
    return fail('duplicate_id', `A segment "${segment.id}" already exists.`);
  }
  const error = admit(segments, segment, rules);
  if (error) return { ok: false, error };
  return { ok: true, segments: sorted([...segments, segment]) };
}

/** The fields an `updateSegment` may change; the id never changes. */
export const SegmentPatch = SegmentFields.omit({ id: true }).partial();
export type SegmentPatch = z.infer<typeof SegmentPatch>;

/** Changes fields of one segment, re-checking range and overlap. */
export function updateSegment(
  segments: readonly Segment[],
  id: string,
  patch: SegmentPatch,
  rules: SegmentRules,
): SegmentResult {
  const current = segments.find((s) => s.id === id);
  if (!current) return missing(id);
  const next: Segment = { ...current, ...patch, id };
  const others = segments.filter((s) => s.id !== id);
  const error = admit(others, next, rules);
  if (error) return { ok: false, error };
  return { ok: true, segments: sorted([...others, next]) };
}

/**
 * Moves one or both edges (a timeline drag). Edges snap to whole frames, are clamped into the clip,
 * and an edge dragged past the other stops at it, so a segment is never shorter than one frame.
 */
export function resizeSegment(
  segments: readonly Segment[],
  id: string,
  edges: { readonly startFrame?: number; readonly endFrame?: number },
  rules: SegmentRules,
): SegmentResult {
  const current = segments.find((s) => s.id === id);
  if (!current) return missing(id);
  const last = Math.max(0, rules.frameCount - 1);
  const clamp = (frame: number): number => Math.min(last, Math.max(0, Math.round(frame)));
  let startFrame = edges.startFrame === undefined ? current.startFrame : clamp(edges.startFrame);
  let endFrame = edges.endFrame === undefined ? current.endFrame : clamp(edges.endFrame);
  if (startFrame > endFrame) {
    if (edges.endFrame === undefined) startFrame = endFrame;
    else endFrame = startFrame;
  }
  return updateSegment(segments, id, { startFrame, endFrame }, rules);
}

/**
 * Splits a segment before `frame`: the original keeps [start, frame − 1] and its id, the new one
 * (id `newId`) gets [frame, end]. Both keep the verb, noun, actor and note.
 */
export function splitSegment(
  segments: readonly Segment[],
  id: string,
  frame: number,
  newId: string,
): SegmentResult {
  const current = segments.find((s) => s.id === id);
  if (!current) return missing(id);
  if (segments.some((s) => s.id === newId)) {
    return fail('duplicate_id', `A segment "${newId}" already exists.`);
  }
  if (!Number.isInteger(frame) || frame <= current.startFrame || frame > current.endFrame) {
    return fail(
      'split_outside',
      `A split must fall inside the segment, after its first frame: frame ${frame} is not in ${current.startFrame + 1}–${current.endFrame}.`,
    );
  }
  const left: Segment = { ...current, endFrame: frame - 1 };
  const right: Segment = { ...current, id: newId, startFrame: frame };
  return {
    ok: true,
    segments: sorted([...segments.filter((s) => s.id !== id), left, right]),
  };
}

/**
 * Merges two neighbouring segments of one actor row into the earlier one, which keeps its id,
 * labels and note and grows to the later one's end. "Neighbouring" means no other segment of that
 * row starts between them; a gap between them is absorbed.
 */
export function mergeSegments(
  segments: readonly Segment[],
  firstId: string,
  secondId: string,
): SegmentResult {
  const a = segments.find((s) => s.id === firstId);
  const b = segments.find((s) => s.id === secondId);
  if (!a) return missing(firstId);
  if (!b) return missing(secondId);
  const [first, second] = compareSegments(a, b) <= 0 ? [a, b] : [b, a];
  if (first.id === second.id) {
    return fail('not_adjacent', 'A segment cannot be merged with itself.');
  }
  if (first.actor !== second.actor) {
    return fail(
      'not_adjacent',
      `Only segments in the same row can be merged; "${first.actor}" and "${second.actor}" differ.`,
    );
  }
  if (first.endFrame >= second.startFrame) {
    return fail(
      'not_adjacent',
      `${describe(first)} and ${describe(second)} overlap; resize one first.`,
    );
  }
  const between = segments.find(
    (s) =>
      s.actor === first.actor &&
      s.id !== first.id &&
      s.id !== second.id &&
      s.startFrame > first.endFrame &&
      s.startFrame < second.startFrame,
  );
  if (between) {
    return fail(
      'not_adjacent',
      `${describe(first)} and ${describe(second)} are not neighbours: ${describe(between)} lies between them.`,
    );
  }
  const merged: Segment = { ...first, endFrame: second.endFrame };
  return {
    ok: true,
    segments: sorted([...segments.filter((s) => s.id !== first.id && s.id !== second.id), merged]),
  };
}

export function removeSegment(segments: readonly Segment[], id: string): SegmentResult {
  if (!segments.some((s) => s.id === id)) return missing(id);
  return { ok: true, segments: segments.filter((s) => s.id !== id) };
}

/** Segments of one actor row covering `frame`. O(n); the timeline keeps its own index. */
export function segmentsAt(
  segments: readonly Segment[],
  frame: number,
  actor?: string,
): readonly Segment[] {
  return segments.filter(
    (s) =>
      s.startFrame <= frame && frame <= s.endFrame && (actor === undefined || s.actor === actor),
  );
}
