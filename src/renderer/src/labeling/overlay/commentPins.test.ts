import { describe, expect, it } from 'vitest';
import { COCO_BODY_KEYPOINTS, type LabelsDocument } from '../../../../shared/domain/labels';
import type { ReviewComment } from '../../../../shared/domain/review';
import { commentPinsAt, commentTickFrames } from './commentPins';

const doc: LabelsDocument = {
  tracks: [
    {
      id: 'p1',
      kind: 'person',
      templateId: 'coco-17',
      label: 'Person 1',
      color: '#3366cc',
      keyframes: [
        {
          frame: 4,
          points: COCO_BODY_KEYPOINTS.map((_, i) => ({
            x: 100 + i,
            y: 50,
            visibility: 'visible' as const,
            source: 'manual' as const,
          })),
        },
      ],
    },
  ],
  segments: [],
  contacts: [
    {
      id: 'k1',
      trackId: 'p1',
      startFrame: 2,
      endFrame: 6,
      state: 3,
      object: { box: { x: 10, y: 20, w: 30, h: 40 }, classId: 0 },
      segmentId: null,
    },
  ],
} as unknown as LabelsDocument;

function comment(id: string, pin: ReviewComment['pin'], resolved = false): ReviewComment {
  return {
    id,
    setId: 's',
    revision: 1,
    author: 'rev1',
    at: '2026-01-01T00:00:00.000Z',
    pin,
    text: 'fix',
    suggestion: null,
    resolved: resolved ? { by: 'ann1', at: '2026-01-02T00:00:00.000Z' } : null,
  };
}

describe('comment pins', () => {
  const comments = [
    comment('f', { kind: 'frame', frame: 4 }),
    comment('p', { kind: 'point', frame: 4, trackId: 'p1', index: 9 }, true),
    comment('k', { kind: 'contact', contactId: 'k1' }),
    comment('later', { kind: 'frame', frame: 9 }),
  ];

  it('puts a point comment on its point, a contact comment on its box, a frame comment in the corner', () => {
    expect(commentPinsAt(comments, doc, 4)).toEqual([
      { commentId: 'f', x: 16, y: 16, resolved: false },
      { commentId: 'p', x: 109, y: 50, resolved: true },
      { commentId: 'k', x: 10, y: 20, resolved: false },
    ]);
  });

  it('shows nothing on a frame no comment is pinned to, once the contact has ended', () => {
    expect(commentPinsAt(comments, doc, 8)).toEqual([]);
  });

  it('ticks the timeline at every comment frame, a contact at its start', () => {
    expect(commentTickFrames(comments, doc).map((t) => t.frame)).toEqual([4, 4, 2, 9]);
  });
});
