import { describe, expect, it } from 'vitest';
import { AnnotationSet, transitionStatus, type AnnotationStatus } from './annotationSet';

const base: AnnotationSet = {
  id: 'set-1',
  clipId: 'clip-1',
  annotator: 'ann_01',
  revision: 3,
  status: 'in_progress',
};

function walk(...path: AnnotationStatus[]): AnnotationSet {
  let set = base;
  for (const to of path) {
    const result = transitionStatus(set, to);
    if (!result.ok) throw new Error(result.message);
    set = result.set;
  }
  return set;
}

describe('transitionStatus', () => {
  it('follows the review cycle to accepted, bumping the revision each step', () => {
    const set = walk('submitted', 'in_review', 'accepted');
    expect(set.status).toBe('accepted');
    expect(set.revision).toBe(6);
  });

  it('sends a set back to the annotator after changes are requested', () => {
    expect(walk('submitted', 'in_review', 'changes_requested', 'in_progress').status).toBe(
      'in_progress',
    );
  });

  it('refuses to skip review, naming what is allowed', () => {
    const result = transitionStatus(base, 'accepted');
    expect(result).toEqual({
      ok: false,
      message: 'A set that is in progress cannot become accepted: it can only become submitted.',
    });
  });

  it('treats accepted as final', () => {
    const result = transitionStatus(walk('submitted', 'in_review', 'accepted'), 'in_progress');
    expect(!result.ok && result.message).toMatch(/it is final/);
  });

  it('validates a set record at the boundary', () => {
    expect(AnnotationSet.safeParse({ ...base, status: 'done' }).success).toBe(false);
    expect(AnnotationSet.safeParse(base).success).toBe(true);
  });
});
