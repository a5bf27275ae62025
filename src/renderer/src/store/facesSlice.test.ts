import { describe, expect, it } from 'vitest';
import type { FaceScanInfo } from '../../../shared/api/faceSchemas';
import { blurReviewStatus, faceBoxId, faceTrackIdOf } from './facesSlice';

const scan: FaceScanInfo = {
  clipId: 'c',
  model: 'ssd-mobilenetv1 (@vladmandic/face-api@1.7.15)',
  backend: 'wasm',
  frameCount: 10,
  framesDone: 10,
  status: 'scanned',
  error: null,
  reviewStatus: 'unreviewed',
  reviewedBy: null,
  reviewedAt: null,
};

describe('blurReviewStatus', () => {
  it('says where a clip stands on the way to a reviewed blur', () => {
    expect(blurReviewStatus(null)).toBe('Not scanned');
    expect(blurReviewStatus({ scan: null, tracks: [] })).toBe('Not scanned');
    expect(blurReviewStatus({ scan: { ...scan, status: 'cancelled' }, tracks: [] })).toBe(
      'Scan stopped (resume it)',
    );
    expect(blurReviewStatus({ scan, tracks: [] })).toBe('Scanned, not reviewed');
    expect(
      blurReviewStatus({
        scan: {
          ...scan,
          reviewStatus: 'reviewed',
          reviewedBy: 'reviewer_b',
          reviewedAt: '2026-12-06T10:00:00.000Z',
        },
        tracks: [],
      }),
    ).toBe('Reviewed by reviewer_b on 2026-12-06');
  });
});

describe('face box ids', () => {
  it('tell a face box from a label box and back', () => {
    expect(faceTrackIdOf(faceBoxId('face-3'))).toBe('face-3');
    expect(faceTrackIdOf('9b1c-box-track')).toBeNull();
    expect(faceTrackIdOf(null)).toBeNull();
  });
});
