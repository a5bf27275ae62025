import { describe, expect, it } from 'vitest';
import { COCO_BODY_TEMPLATE_ID, EMPTY_LABELS, type LabelsDocument, type Track } from '../labels';
import { isEmptyDiff, labelsDiff } from './labelsDiff';
import { adjacentComment, pinFrame, ReviewComment, type CommentPin } from './reviewComment';

const point = (x: number) => ({
  x,
  y: 10,
  visibility: 'visible' as const,
  source: 'manual' as const,
});

function track(keyframes: Track['keyframes']): Track {
  return {
    id: 'p1',
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: 'Person 1',
    color: '#000000',
    keyframes,
  };
}

const before: LabelsDocument = {
  ...EMPTY_LABELS,
  tracks: [
    track([
      { frame: 10, points: [point(1), point(2)] },
      { frame: 20, points: [point(3), null] },
    ]),
  ],
  segments: [
    {
      id: 's1',
      startFrame: 5,
      endFrame: 30,
      verbId: null,
      nounId: null,
      actor: 'camera_wearer',
      note: '',
    },
  ],
};

function comment(id: string, pin: CommentPin, resolved = false): ReviewComment {
  return ReviewComment.parse({
    id,
    setId: 'set',
    revision: 1,
    author: 'reviewer',
    at: `2026-11-24T10:00:0${id.length}.000Z`,
    pin,
    text: 'Check this',
    suggestion: null,
    resolved: resolved ? { by: 'annotator', at: '2026-11-24T11:00:00.000Z' } : null,
  });
}

describe('what changed between two revisions', () => {
  it('names the keyframes and the very points that moved, and labeled segments', () => {
    const after: LabelsDocument = {
      ...before,
      tracks: [
        track([
          { frame: 10, points: [point(1), point(9)] },
          { frame: 30, points: [point(4), point(5)] },
        ]),
      ],
      segments: [
        { ...(before.segments[0] as LabelsDocument['segments'][number]), verbId: 2, nounId: 3 },
      ],
    };
    const diff = labelsDiff(before, after);
    expect(diff.keyframes.map((k) => [k.kind, k.frame, k.points])).toEqual([
      ['changed', 10, [1]],
      ['removed', 20, [0, 1]],
      ['added', 30, [0, 1]],
    ]);
    expect(diff.segments).toEqual([expect.objectContaining({ kind: 'changed' })]);
    expect(diff.tracks).toEqual([]);
    expect(isEmptyDiff(labelsDiff(before, before))).toBe(true);
  });

  it('reports a removed track with all of its keyframes', () => {
    const diff = labelsDiff(before, EMPTY_LABELS);
    expect(diff.tracks).toEqual([expect.objectContaining({ kind: 'removed' })]);
    expect(diff.keyframes).toHaveLength(2);
    expect(diff.segments).toEqual([expect.objectContaining({ kind: 'removed' })]);
  });
});

describe('review comments', () => {
  it('refuses an empty comment and a pin without its frame', () => {
    expect(
      ReviewComment.safeParse({ ...comment('a', { kind: 'frame', frame: 1 }), text: '  ' }).success,
    ).toBe(false);
    expect(
      ReviewComment.safeParse({
        ...comment('a', { kind: 'frame', frame: 1 }),
        pin: { kind: 'point' },
      }).success,
    ).toBe(false);
  });

  it('finds a pin’s frame, and none for a segment removed since', () => {
    expect(pinFrame({ kind: 'segment', segmentId: 's1' }, before)).toBe(5);
    expect(pinFrame({ kind: 'segment', segmentId: 'gone' }, before)).toBeUndefined();
  });

  it('jumps to the next and previous open comment, wrapping around', () => {
    const comments = [
      comment('a', { kind: 'frame', frame: 40 }),
      comment('bb', { kind: 'point', frame: 12, trackId: 'p1', index: 0 }),
      comment('ccc', { kind: 'segment', segmentId: 's1' }),
      comment('dddd', { kind: 'frame', frame: 25 }, true),
    ];
    expect(adjacentComment(comments, before, 12, 1)?.id).toBe('a');
    expect(adjacentComment(comments, before, 40, 1)?.id).toBe('ccc');
    expect(adjacentComment(comments, before, 12, -1)?.id).toBe('ccc');
    expect(adjacentComment(comments, before, 5, -1)?.id).toBe('a');
    expect(adjacentComment(comments, before, 12, 1, true)?.id).toBe('dddd');
    expect(adjacentComment([], before, 0, 1)).toBeUndefined();
  });
});
