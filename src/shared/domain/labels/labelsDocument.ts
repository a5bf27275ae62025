import { z } from 'zod';
import { BoxTrack } from './boxTracks';
import { ContactLabel } from './contact';
import { projectTemplates, type ProjectSchema, type SkeletonTemplate } from './projectSchema';
import { Segment } from './segments';
import { Track, Visibility } from './tracks';

/**
 * Everything one annotation set labels on one clip, as plain immutable data. It changes only
 * through commands (`applyCommand`); nothing else writes to it.
 *
 * - `tracks` keep the order the annotator gave them (it is the drawing and listing order).
 * - `segments` and `contacts` are kept in a canonical order (`compareSegments`,
 *   `compareContacts`), so equal content is an equal array.
 * - `boxTracks` (hand, object and face boxes) keep the order they were made in.
 *
 * Versions, all read by this one schema (snapshots and command logs are never rewritten):
 * 1. tracks, segments, contacts; a contact's object is one static box.
 * 2. adds `boxTracks`, `link` on hand tracks and contact objects naming a box track. The new
 *    fields are optional and never filled in on load, so a version 1 document parses to itself
 *    (its checksum and the diff of its revisions do not change); `.strict()` makes an older
 *    build refuse a version 2 document instead of dropping what it does not know.
 */
export const LabelsDocument = z
  .object({
    tracks: z.array(Track),
    segments: z.array(Segment),
    contacts: z.array(ContactLabel),
    boxTracks: z.array(BoxTrack).optional(),
  })
  .strict();
export type LabelsDocument = {
  readonly tracks: readonly Track[];
  readonly segments: readonly Segment[];
  readonly contacts: readonly ContactLabel[];
  /** Absent in version 1 documents: read it with `boxTracksOf`. */
  readonly boxTracks?: readonly BoxTrack[] | undefined;
};

export function boxTracksOf(doc: LabelsDocument): readonly BoxTrack[] {
  return doc.boxTracks ?? [];
}

export const EMPTY_LABELS: LabelsDocument = { tracks: [], segments: [], contacts: [] };

/** What commands need to know beyond the document: the clip and the project's rules. */
export type EditContext = {
  /** Frames in the clip (from its frame table); valid frames are 0 … frameCount − 1. */
  readonly frameCount: number;
  readonly allowSegmentOverlap: boolean;
  /** Built-in and project templates (`projectTemplates(project)`). */
  readonly templates: readonly SkeletonTemplate[];
  /** The project's object class ids; when undefined, contact classes are not checked. */
  readonly objectClassIds?: ReadonlySet<number>;
  /** The taxonomy's verb and noun class ids; when undefined, segment labels are not checked. */
  readonly verbIds?: ReadonlySet<number>;
  readonly nounIds?: ReadonlySet<number>;
  /**
   * The share (0–1) of decided points that may be unaccepted model proposals at submit
   * (`preannotation.maxUnacceptedShare`); undefined is the project default, 0.
   */
  readonly maxUnacceptedShare?: number;
};

/** The edit context for one clip of a project. */
export function editContextFor(project: ProjectSchema, frameCount: number): EditContext {
  return {
    frameCount,
    allowSegmentOverlap: project.allowSegmentOverlap,
    templates: projectTemplates(project),
    objectClassIds: new Set(project.objectClasses.map((c) => c.id)),
    verbIds: new Set(project.taxonomy.verbs.map((c) => c.id)),
    nounIds: new Set(project.taxonomy.nouns.map((c) => c.id)),
    maxUnacceptedShare: project.preannotation?.maxUnacceptedShare ?? 0,
  };
}

/**
 * `LabelsDocument` for documents of megabytes (a lead's pull brings a thousand): the same rules,
 * checked by a plain loop over the keyframes first. Only a document the loop cannot vouch for goes
 * through the zod schema, which then decides and words the refusal. The loop is never more lenient
 * than the schema (`labelsDocument.test.ts` holds it to that); it exists because the schema spends
 * about 25 ms on a 30 s clip keyframed on every frame, most of a pull's time.
 */
export const BulkLabelsDocument = z.unknown().transform((value, ctx): LabelsDocument => {
  if (isPlainLabelsDocument(value)) return value;
  const parsed = LabelsDocument.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
  return z.NEVER;
});

/**
 * True only when `value` is surely a valid `LabelsDocument`: keyframes and points by hand, the
 * few other fields by the schemas themselves. False means "ask the schema", not "invalid".
 */
export function isPlainLabelsDocument(value: unknown): value is LabelsDocument {
  if (!isRecord(value) || !hasKeys(value, 3)) return false;
  const { tracks, segments, contacts } = value;
  if (!Array.isArray(tracks) || !Array.isArray(segments) || !Array.isArray(contacts)) return false;
  if (!z.array(Segment).safeParse(segments).success) return false;
  if (!z.array(ContactLabel).safeParse(contacts).success) return false;
  for (const track of tracks as unknown[]) {
    if (!isRecord(track) || !Array.isArray(track.keyframes)) return false;
    // Everything of the track but its keyframes, by the schema (ids, kind, colour, strictness).
    if (!Track.safeParse({ ...track, keyframes: [] }).success) return false;
    let previous = -1;
    for (const keyframe of track.keyframes as unknown[]) {
      if (!isRecord(keyframe)) return false;
      const { frame, points, absent } = keyframe;
      if (typeof frame !== 'number' || !Number.isSafeInteger(frame) || frame <= previous) {
        return false;
      }
      previous = frame;
      if (!Array.isArray(points)) return false;
      if (absent === undefined) {
        if (!hasKeys(keyframe, 2)) return false;
      } else if (absent !== true || points.length !== 0 || !hasKeys(keyframe, 3)) {
        return false;
      }
      for (const point of points as unknown[]) {
        if (point !== null && !isPlainKeypoint(point)) return false;
      }
    }
  }
  return true;
}

const VISIBILITIES: ReadonlySet<unknown> = new Set(Visibility.options);

function isPlainKeypoint(point: unknown): boolean {
  if (!isRecord(point)) return false;
  const { x, y, visibility, source } = point;
  if (!Number.isFinite(x) || !Number.isFinite(y) || !VISIBILITIES.has(visibility)) return false;
  if (source === 'manual') return hasKeys(point, 4);
  if (source !== 'model') return false;
  const { model, score } = point;
  return (
    typeof model === 'string' &&
    model.length > 0 &&
    typeof score === 'number' &&
    score >= 0 &&
    score <= 1 &&
    hasKeys(point, 6)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plain object with exactly `count` own keys: the caller has checked that the keys it expects
 * are there, so no other key is (the schemas are strict).
 */
function hasKeys(value: Record<string, unknown>, count: number): boolean {
  let keys = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    keys += 1;
  }
  return keys === count && Object.getPrototypeOf(value) === Object.prototype;
}
