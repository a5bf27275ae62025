import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../../src/main/services/db/migrations';
import { openStore } from '../../../src/main/services/store/openStore';
import { COCO_BODY_KEYPOINTS } from '../../../src/shared/domain/labels';
import { databaseAt } from '../db/migrationHarness';
import { placedPose, seedV3 } from './labelsSeed';

/** A store at the latest version whose set s1 has one person track p1 and no keyframes. */
function storeWithSet() {
  const fixture = databaseAt(LATEST_SCHEMA_VERSION, seedV3());
  fixture.close();
  return openStore(fixture.file);
}

describe('submitting and reviewing an annotation set', () => {
  it('lists what is missing, with frames, and changes nothing while something is', () => {
    const store = storeWithSet();
    try {
      store.labels.applyLabelEdit(
        's1',
        {
          type: 'setKeyframe',
          trackId: 'p1',
          keyframe: { frame: 2, points: COCO_BODY_KEYPOINTS.map(() => null) },
        },
        1,
        'annotator-1',
      );
      const outcome = store.labels.submitAnnotationSet('s1', 'annotator-1');
      expect(outcome.submitted).toBe(false);
      if (outcome.submitted) return;
      expect(outcome.problems).toEqual([
        expect.objectContaining({ kind: 'undecided_points', frames: [2], recordId: 'p1' }),
      ]);
      expect(store.labels.getAnnotationSet('s1')).toMatchObject({
        status: 'in_progress',
        revision: 0,
      });
    } finally {
      store.close();
    }
  });

  it('submits a complete set, locks it, and audits each status change with its revision', () => {
    const store = storeWithSet();
    try {
      store.labels.applyLabelEdit('s1', placedPose, 1, 'annotator-1');
      const outcome = store.labels.submitAnnotationSet('s1', 'annotator-1');
      expect(outcome).toMatchObject({ submitted: true, set: { status: 'submitted', revision: 1 } });
      expect(() => store.labels.applyLabelEdit('s1', placedPose, 2, 'annotator-1')).toThrow(
        expect.objectContaining({ code: 'SET_NOT_EDITABLE' }),
      );
      expect(() => store.labels.submitAnnotationSet('s1', 'annotator-1')).toThrow(
        expect.objectContaining({ code: 'STATUS_CHANGE_REFUSED' }),
      );

      const returned = store.labels.transitionAnnotationSet(
        's1',
        ['in_review', 'changes_requested'],
        'reviewer-1',
      );
      expect(returned).toMatchObject({ status: 'changes_requested', revision: 3 });
      // Sent back, it is editable again and a resubmit passes through in progress.
      expect(store.labels.applyLabelEdit('s1', placedPose, 2, 'annotator-1').seq).toBe(3);
      expect(store.labels.submitAnnotationSet('s1', 'annotator-1')).toMatchObject({
        submitted: true,
        set: { status: 'submitted', revision: 5 },
      });
      expect(() => store.labels.transitionAnnotationSet('s1', 'accepted', 'reviewer-1')).toThrow(
        expect.objectContaining({ code: 'STATUS_CHANGE_REFUSED' }),
      );
      const actions = store.audit
        .list({ entityId: 's1' })
        .map((entry) => `${entry.actor} ${entry.action}`)
        .reverse();
      expect(actions).toEqual([
        'annotator-1 labels.submitted',
        'reviewer-1 labels.in_review',
        'reviewer-1 labels.changes_requested',
        'annotator-1 labels.in_progress',
        'annotator-1 labels.submitted',
      ]);
    } finally {
      store.close();
    }
  });

  it('rolls back every step of a refused multi-step change', () => {
    const store = storeWithSet();
    try {
      expect(() =>
        store.labels.transitionAnnotationSet('s1', ['submitted', 'accepted'], 'reviewer-1'),
      ).toThrow(expect.objectContaining({ code: 'STATUS_CHANGE_REFUSED' }));
      expect(store.labels.getAnnotationSet('s1')).toMatchObject({
        status: 'in_progress',
        revision: 0,
      });
    } finally {
      store.close();
    }
  });
});
