import { z } from 'zod';
import { BoxTrack } from './boxTracks';
import { ContactLabel } from './contact';
import { projectTemplates, type ProjectSchema, type SkeletonTemplate } from './projectSchema';
import { Segment } from './segments';
import { Track } from './tracks';

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
  };
}
