import { z } from 'zod';
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
 */
export const LabelsDocument = z
  .object({
    tracks: z.array(Track),
    segments: z.array(Segment),
    contacts: z.array(ContactLabel),
  })
  .strict();
export type LabelsDocument = {
  readonly tracks: readonly Track[];
  readonly segments: readonly Segment[];
  readonly contacts: readonly ContactLabel[];
};

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
