import { describe, expect, it } from 'vitest';
import { agreementReport, OKS_BINS, type ComparedClip } from './agreementReport';
import type { DocumentAgreement } from './documentAgreement';

function compared(frameOks: number[], reference = 'a', other = 'b'): ComparedClip {
  const agreement: DocumentAgreement = {
    tracks: [
      {
        kind: 'person',
        referenceTrackId: 't1',
        otherTrackId: 't2',
        oks: null,
        pck: 0.5,
        framesCompared: frameOks.length,
        frameOks,
      },
    ],
    unmatchedReference: [],
    unmatchedOther: ['t3'],
    oks: null,
    pck: 0.5,
    segments: null,
    contacts: {
      n: 0,
      accuracy: null,
      expected: null,
      kappa: null,
      confusion: Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]),
    },
    objectBoxIoU: null,
  };
  return {
    clipId: 'c',
    clipName: 'c.mp4',
    batchId: 'b',
    batchName: 'B',
    reference,
    other,
    agreement,
  };
}

describe('the agreement report', () => {
  it('bins frame OKS in twentieths, a perfect 1 in the last bin', () => {
    const report = agreementReport([compared([0, 0.04, 0.05, 0.999, 1])], []);
    expect(report.oksHistogram).toHaveLength(OKS_BINS);
    expect(report.oksHistogram[0]).toBe(2);
    expect(report.oksHistogram[1]).toBe(1);
    expect(report.oksHistogram[OKS_BINS - 1]).toBe(2);
    expect(report.overall.oks).toBeCloseTo((0 + 0.04 + 0.05 + 0.999 + 1) / 5, 12);
    expect(report.pairs[0]?.unmatchedTracks).toBe(1);
  });

  it('has no rejection rate before any verdict, and counts submits per day', () => {
    const report = agreementReport(
      [],
      [
        { at: '2026-11-20T10:00:00.000Z', action: 'labels.submitted', annotator: 'a' },
        { at: '2026-11-20T18:00:00.000Z', action: 'labels.submitted', annotator: 'a' },
        { at: '2026-11-21T09:00:00.000Z', action: 'labels.submitted', annotator: 'a' },
      ],
    );
    expect(report.perAnnotator).toEqual([
      expect.objectContaining({ annotator: 'a', submitted: 3, rejectionRate: null }),
    ]);
    expect(report.throughput).toEqual([
      { day: '2026-11-20', annotator: 'a', submitted: 2 },
      { day: '2026-11-21', annotator: 'a', submitted: 1 },
    ]);
    expect(report.overall).toMatchObject({ pairs: 0, oks: null, edit: null, contactKappa: null });
  });
});
