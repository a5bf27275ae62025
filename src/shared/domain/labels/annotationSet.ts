import { z } from 'zod';

export const AnnotationStatus = z.enum([
  'in_progress',
  'submitted',
  'in_review',
  'accepted',
  'changes_requested',
]);
export type AnnotationStatus = z.infer<typeof AnnotationStatus>;

/** One annotator's labels for one clip. The labels themselves live in a `LabelsDocument`. */
export const AnnotationSet = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    clipId: z.string().min(1, 'must not be empty'),
    annotator: z.string().min(1, 'must not be empty'),
    revision: z.number().int('must be a whole number').min(0, 'must be 0 or more'),
    status: AnnotationStatus,
  })
  .strict();
export type AnnotationSet = z.infer<typeof AnnotationSet>;

/**
 * The review cycle: in progress → submitted → in review → accepted, or → changes requested, which
 * goes back to in progress for the annotator. Accepted is final; a clip to be redone gets a new set.
 */
export const STATUS_TRANSITIONS: Readonly<Record<AnnotationStatus, readonly AnnotationStatus[]>> = {
  in_progress: ['submitted'],
  submitted: ['in_review'],
  in_review: ['accepted', 'changes_requested'],
  changes_requested: ['in_progress'],
  accepted: [],
};

const STATUS_NAMES: Readonly<Record<AnnotationStatus, string>> = {
  in_progress: 'in progress',
  submitted: 'submitted',
  in_review: 'in review',
  accepted: 'accepted',
  changes_requested: 'changes requested',
};

export function statusName(status: AnnotationStatus): string {
  return STATUS_NAMES[status];
}

export function canTransition(from: AnnotationStatus, to: AnnotationStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

export type TransitionResult = { ok: true; set: AnnotationSet } | { ok: false; message: string };

/**
 * Moves a set to a new status. Every status change bumps `revision`, so the sync's revision check
 * sees a concurrent review verdict or resubmission as a conflict instead of overwriting it.
 */
export function transitionStatus(set: AnnotationSet, to: AnnotationStatus): TransitionResult {
  if (!canTransition(set.status, to)) {
    const allowed = STATUS_TRANSITIONS[set.status].map(statusName);
    const next =
      allowed.length === 0 ? 'it is final' : `it can only become ${allowed.join(' or ')}`;
    return {
      ok: false,
      message: `A set that is ${statusName(set.status)} cannot become ${statusName(to)}: ${next}.`,
    };
  }
  return { ok: true, set: { ...set, status: to, revision: set.revision + 1 } };
}
