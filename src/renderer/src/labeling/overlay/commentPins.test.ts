import { describe, expect, it } from 'vitest';
import { COCO_BODY_KEYPOINTS, type LabelsDocument } from '../../../../shared/domain/labels';
import type { ReviewComment } from '../../../../shared/domain/review';
import { adjacentComment } from '../../../../shared/domain/review';
import { NEUTRAL_ROW_COLOR, commentPinsAt, commentTickFrames, spanCommentsAt } from './commentPins';

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

describe('segment and contact comments in the overlay badge', () => {
  const withSegments = {
    ...doc,
    segments: [
      { id: 's1', startFrame: 3, endFrame: 7, verbId: 1, nounId: 2, actor: 'p1', note: '' },
      {
        id: 's2',
        startFrame: 5,
        endFrame: 5,
        verbId: 1,
        nounId: 2,
        actor: 'camera_wearer',
        note: '',
      },
    ],
  } as unknown as LabelsDocument;
  const comments = [
    comment('on-s1', { kind: 'segment', segmentId: 's1' }),
    comment('on-s2', { kind: 'segment', segmentId: 's2' }, true),
    comment('on-k1', { kind: 'contact', contactId: 'k1' }),
    comment('gone', { kind: 'segment', segmentId: 'removed' }),
    comment('frame', { kind: 'frame', frame: 5 }),
  ];
  const ids = (frame: number) =>
    spanCommentsAt(comments, withSegments, frame).map((c) => c.commentId);

  it('lists a segment comment on every frame of its segment, both ends included, and no longer', () => {
    expect(ids(2)).toEqual(['on-k1']);
    expect(ids(3)).toEqual(['on-s1', 'on-k1']);
    expect(ids(5)).toEqual(['on-s1', 'on-s2', 'on-k1']);
    expect(ids(7)).toEqual(['on-s1']);
    expect(ids(8)).toEqual([]);
  });

  it("colours each entry with its actor's track, the camera wearer in the neutral colour", () => {
    const [s1, s2, k1] = spanCommentsAt(comments, withSegments, 5);
    expect(s1).toMatchObject({
      kind: 'segment',
      recordId: 's1',
      color: '#3366cc',
      resolved: false,
    });
    expect(s2).toMatchObject({ color: NEUTRAL_ROW_COLOR, resolved: true, startFrame: 5 });
    expect(k1).toMatchObject({ kind: 'contact', recordId: 'k1', startFrame: 2, endFrame: 6 });
  });

  it("J and Shift+J visit segment comments at the segment's start frame", () => {
    const open = comments.filter((c) => c.resolved === null);
    expect(adjacentComment(open, withSegments, 0, 1)?.id).toBe('on-k1');
    expect(adjacentComment(open, withSegments, 2, 1)?.id).toBe('on-s1');
    expect(adjacentComment(open, withSegments, 3, 1)?.id).toBe('frame');
    expect(adjacentComment(open, withSegments, 5, -1)?.id).toBe('on-s1');
  });
});
