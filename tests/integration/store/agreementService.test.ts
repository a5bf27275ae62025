import { describe, expect, it } from 'vitest';
import { AgreementService } from '../../../src/main/services/agreement/agreementService';
import { LATEST_SCHEMA_VERSION } from '../../../src/main/services/db/migrations';
import { openStore } from '../../../src/main/services/store/openStore';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  type Command,
} from '../../../src/shared/domain/labels';
import { databaseAt } from '../db/migrationHarness';
import { seedV3 } from './labelsSeed';

/** One annotator's labels of the 4-frame clip c1: a person, a pose on frame 1, one segment. */
function labelsOf(trackId: string, shift: number, segmentEnd: number): Command[] {
  return [
    {
      type: 'addTrack',
      track: {
        id: trackId,
        kind: 'person',
        templateId: COCO_BODY_TEMPLATE_ID,
        label: 'Person',
        color: '#336699',
        keyframes: [],
      },
    },
    {
      type: 'setKeyframe',
      trackId,
      keyframe: {
        frame: 1,
        points: COCO_BODY_KEYPOINTS.map((_, i) => ({
          x: 100 + (i % 4) * 30 + shift,
          y: 50 + i * 10,
          visibility: 'visible' as const,
          source: 'manual' as const,
        })),
      },
    },
    {
      type: 'addSegment',
      segment: {
        id: `${trackId}-s`,
        startFrame: 0,
        endFrame: segmentEnd,
        verbId: 2,
        nounId: 13,
        actor: 'camera_wearer',
        note: '',
      },
    },
  ];
}

describe('the agreement report over double-annotated clips', () => {
  it('compares the handed-in sets of two annotators and counts verdicts per annotator', () => {
    const fixture = databaseAt(LATEST_SCHEMA_VERSION, seedV3());
    fixture.close();
    const store = openStore(fixture.file);
    try {
      for (const [annotator, shift, end] of [
        ['ann-a', 0, 3],
        ['ann-b', 5, 1],
      ] as const) {
        const set = store.labels.openAnnotationSet('c1', annotator, 'default');
        labelsOf(`${annotator}-p`, shift, end).forEach((command, seq) =>
          store.labels.applyLabelEdit(set.id, command, seq, annotator),
        );
        expect(store.labels.submitAnnotationSet(set.id, annotator)).toMatchObject({
          submitted: true,
        });
        store.labels.transitionAnnotationSet(
          set.id,
          ['in_review', annotator === 'ann-a' ? 'accepted' : 'changes_requested'],
          'reviewer-1',
        );
      }
      // The seed's own set s1 is still in progress: not handed in, not compared.
      const report = new AgreementService({ databasePath: fixture.file, store }).report();

      expect(report.pairs).toEqual([
        expect.objectContaining({ clipId: 'c1', reference: 'ann-a', other: 'ann-b' }),
      ]);
      const oks = report.overall.oks ?? 0;
      expect(oks).toBeGreaterThan(0.5);
      expect(oks).toBeLessThan(1);
      expect(report.oksHistogram.reduce((s, n) => s + n, 0)).toBe(report.overall.framesCompared);
      // Frames 0–3 against 0–1: IoU 2/4 = 0.5, a hit at every threshold (eval.py: IoU ≥ τ); the
      // frame-wise accuracy is what shows the disagreement.
      expect(report.overall.segmentF1).toEqual([
        { threshold: 0.1, f1: 100 },
        { threshold: 0.25, f1: 100 },
        { threshold: 0.5, f1: 100 },
      ]);

      const a = report.perAnnotator.find((p) => p.annotator === 'ann-a');
      const b = report.perAnnotator.find((p) => p.annotator === 'ann-b');
      expect(a).toMatchObject({ submitted: 1, accepted: 1, changesRequested: 0, rejectionRate: 0 });
      expect(b).toMatchObject({ submitted: 1, accepted: 0, changesRequested: 1, rejectionRate: 1 });
      expect(report.throughput).toEqual([
        expect.objectContaining({ annotator: 'ann-a', submitted: 1 }),
        expect.objectContaining({ annotator: 'ann-b', submitted: 1 }),
      ]);
      expect(report.perBatch.map((b) => [b.batchId, b.figures.pairs])).toEqual([['b1', 1]]);
      expect(
        new AgreementService({ databasePath: fixture.file, store }).report('other').pairs,
      ).toEqual([]);
    } finally {
      store.close();
    }
  });
});
