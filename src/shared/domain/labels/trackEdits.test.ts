import { describe, expect, it } from 'vitest';
import { applyCommand, type Command } from './commands';
import { checkCompleteness } from './completeness';
import { poseAt } from './interpolateKeypoints';
import { EMPTY_LABELS, type EditContext, type LabelsDocument } from './labelsDocument';
import type { SkeletonTemplate } from './projectSchema';
import { mergeKeyframes, splitKeyframes, withoutRedundantAbsence } from './trackEdits';
import {
  absentKeyframe,
  presentRuns,
  trackSpan,
  type Keyframe,
  type Keypoint,
  type Track,
} from './tracks';

const templates: SkeletonTemplate[] = [
  { id: 'pair', name: 'Pair', kind: 'body', keypoints: ['a', 'b'], skeleton: [[1, 2]] },
  { id: 'hand', name: 'Hand', kind: 'hand', keypoints: ['wrist', 'tip'], skeleton: [[1, 2]] },
];
const context: EditContext = { frameCount: 100, allowSegmentOverlap: false, templates };

const at = (x: number): Keypoint => ({ x, y: x, visibility: 'visible', source: 'manual' });
const present = (frame: number, x: number): Keyframe => ({ frame, points: [at(x), at(x + 1)] });

function track(id: string, keyframes: Keyframe[], label = id): Track {
  return { id, kind: 'person', templateId: 'pair', label, color: '#112233', keyframes };
}

/** Frames with a pose, and the first point's x on each: what the annotator sees frame by frame. */
function shown(t: Track, frames = 100): Map<number, number> {
  const seen = new Map<number, number>();
  for (let frame = 0; frame < frames; frame++) {
    const point = poseAt(t, frame)?.points[0];
    if (point) seen.set(frame, point.x);
  }
  return seen;
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function must(doc: LabelsDocument, command: Command): LabelsDocument {
  const result = applyCommand(doc, command, context);
  if (!result.ok) throw new Error(result.error.message);
  return result.doc;
}

describe('a track out of the picture', () => {
  // CVAT's case from issue #16: in at 10, outside at 41, back at 60, outside again at 70.
  const walker = track('p', [
    present(10, 0),
    absentKeyframe(41),
    present(60, 100),
    absentKeyframe(70),
  ]);

  it('is on frames 10–40 and 60–69 and on no other frame', () => {
    expect([...shown(walker).keys()]).toEqual([...range(10, 40), ...range(60, 69)]);
    expect(presentRuns(walker)).toEqual([
      { first: 10, last: 40 },
      { first: 60, last: 69 },
    ]);
    expect(trackSpan(walker)).toEqual({ first: 10, last: 69 });
  });

  it('holds the pose before an absent keyframe instead of interpolating across the absence', () => {
    const poses = shown(walker);
    for (const frame of range(10, 40)) expect(poses.get(frame)).toBe(0);
    for (const frame of range(60, 69)) expect(poses.get(frame)).toBe(100);
    expect(poseAt(walker, 40)).toMatchObject({ isKeyframe: false });
    expect(poseAt(walker, 40)?.points[0]).toMatchObject({ source: 'interpolated' });
  });

  it('still interpolates between two keyframes in the picture', () => {
    const t = track('p', [present(0, 0), present(10, 10), absentKeyframe(20)]);
    expect(poseAt(t, 5)?.points[0]?.x).toBe(5);
    expect(poseAt(t, 15)?.points[0]?.x).toBe(10);
    expect(poseAt(t, 20)).toBeUndefined();
  });

  it('says so with an absent keyframe, which carries no points and leaves nothing undecided', () => {
    const result = applyCommand(
      must(EMPTY_LABELS, { type: 'addTrack', track: track('p', [present(0, 0)]) }),
      {
        type: 'setKeyframe',
        trackId: 'p',
        keyframe: { frame: 5, points: [null, null], absent: true },
      },
      context,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const doc = must(EMPTY_LABELS, { type: 'addTrack', track: walker });
    expect(checkCompleteness(doc, context)).toEqual([]);
  });

  it('comes back when a point is edited on its absent keyframe: setPoint there is refused', () => {
    const doc = must(EMPTY_LABELS, { type: 'addTrack', track: walker });
    const result = applyCommand(
      doc,
      { type: 'setPoint', trackId: 'p', frame: 41, index: 0, point: at(3) },
      context,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    if (!result.ok) expect(result.error.message).toMatch(/out of the picture from frame 41/);
  });

  it('is marked absent by one undoable command', () => {
    const doc = must(EMPTY_LABELS, {
      type: 'addTrack',
      track: track('p', [present(0, 0), present(50, 50)]),
    });
    const result = applyCommand(
      doc,
      { type: 'setKeyframe', trackId: 'p', keyframe: absentKeyframe(20) },
      context,
    );
    if (!result.ok) throw new Error(result.error.message);
    const after = result.doc.tracks[0] as Track;
    expect([...shown(after).keys()]).toEqual(range(0, 19).concat([50]));
    expect(must(result.doc, result.inverse)).toEqual(doc);
  });
});

describe('absent keyframes that say nothing', () => {
  it('are dropped before the first present one, after another, and right after the last', () => {
    const keyframes = [
      absentKeyframe(2),
      present(5, 0),
      absentKeyframe(9),
      absentKeyframe(12),
      present(20, 0),
      absentKeyframe(21),
    ];
    expect(withoutRedundantAbsence(keyframes)).toEqual([
      present(5, 0),
      absentKeyframe(9),
      present(20, 0),
    ]);
  });

  it('are kept when they end a held pose', () => {
    const keyframes = [present(60, 0), absentKeyframe(70)];
    expect(withoutRedundantAbsence(keyframes)).toEqual(keyframes);
  });
});

describe('splitting a track', () => {
  const t = track('p', [present(0, 0), present(20, 20), present(40, 40)], 'Person 1');

  it('keeps every frame as it was, pinning the poses computed on either side of the cut', () => {
    const split = splitKeyframes(t, 25, 2);
    if (!split.ok) throw new Error(split.message);
    const first = { ...t, keyframes: split.value.before };
    const second = { ...t, keyframes: split.value.after };
    expect([...shown(first).keys()]).toEqual(range(0, 24));
    expect([...shown(second).keys()]).toEqual(range(25, 40));
    const all = shown(t);
    for (const [frame, x] of [...shown(first), ...shown(second)]) {
      expect(x).toBeCloseTo(all.get(frame) ?? NaN, 9);
    }
  });

  it('is refused where one side would have no keyframe in the picture', () => {
    expect(splitKeyframes(t, 0, 2).ok).toBe(false);
    expect(splitKeyframes(t, 41, 2).ok).toBe(false);
  });

  it('as a command makes a second track after the first, moves later hand contacts, and undoes', () => {
    const handTrack: Track = {
      ...t,
      id: 'h',
      kind: 'left_hand',
      templateId: 'hand',
      label: 'Left hand 1',
    };
    const doc = must(must(EMPTY_LABELS, { type: 'addTrack', track: handTrack }), {
      type: 'setContact',
      contact: {
        id: 'c',
        trackId: 'h',
        startFrame: 30,
        endFrame: 35,
        state: 1,
        object: null,
        segmentId: null,
      },
    });
    const result = applyCommand(
      doc,
      {
        type: 'splitTrack',
        trackId: 'h',
        frame: 25,
        newTrack: { id: 'h2', label: 'Left hand 2', color: '#445566' },
      },
      context,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.doc.tracks.map((x) => x.label)).toEqual(['Left hand 1', 'Left hand 2']);
    expect(result.doc.contacts[0]?.trackId).toBe('h2');
    expect(must(result.doc, result.inverse)).toEqual(doc);
  });
});

describe('merging two tracks', () => {
  const left = track('a', [present(0, 0), present(10, 10)], 'Person 1');
  const back = track('b', [present(30, 30), present(40, 40)], 'Person 2');

  it('keeps each frame as either track showed it and is absent in between', () => {
    const merged = mergeKeyframes(left, back, 2);
    if (!merged.ok) throw new Error(merged.message);
    const result = { ...left, keyframes: merged.value };
    expect([...shown(result)]).toEqual([...shown(left), ...shown(back)]);
  });

  it('keeps a held pose held, whatever order the tracks are given in', () => {
    const held = track('a', [present(0, 5), absentKeyframe(8)]);
    const next = track('b', [present(8, 50), present(12, 60), absentKeyframe(20)]);
    for (const [x, y] of [
      [held, next],
      [next, held],
    ] as const) {
      const merged = mergeKeyframes(x, y, 2);
      if (!merged.ok) throw new Error(merged.message);
      expect([...shown({ ...x, keyframes: merged.value })]).toEqual([
        ...shown(held),
        ...shown(next),
      ]);
    }
  });

  it('is refused, naming the frames, where both tracks are in the picture', () => {
    const overlapping = track('c', [present(5, 0), present(15, 0)], 'Person 3');
    const merged = mergeKeyframes(left, overlapping, 2);
    expect(merged).toEqual({
      ok: false,
      message:
        '"Person 1" and "Person 3" are both in the picture on frames 5–10; delete or split one of them there first.',
    });
  });

  it("as a command moves the other track's segments to the kept row and undoes in one step", () => {
    const doc = [
      { type: 'addTrack', track: left },
      { type: 'addTrack', track: back },
      {
        type: 'addSegment',
        segment: {
          id: 's',
          startFrame: 30,
          endFrame: 35,
          verbId: null,
          nounId: null,
          actor: 'b',
          note: '',
        },
      },
    ].reduce((d, c) => must(d, c as Command), EMPTY_LABELS);
    const result = applyCommand(doc, { type: 'mergeTracks', keepId: 'a', otherId: 'b' }, context);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.doc.tracks.map((x) => x.id)).toEqual(['a']);
    expect(result.doc.segments[0]?.actor).toBe('a');
    expect(must(result.doc, result.inverse)).toEqual(doc);
  });
});

describe('messages about rows', () => {
  it('name the row by its person, never by the track id', () => {
    const segment = (id: string, startFrame: number, endFrame: number) => ({
      id,
      startFrame,
      endFrame,
      verbId: null,
      nounId: null,
      actor: '9343e6a9-uuid',
      note: '',
    });
    const doc = [
      { type: 'addTrack', track: track('9343e6a9-uuid', [], 'Cook') },
      { type: 'addSegment', segment: segment('s1', 5, 10) },
    ].reduce((d, c) => must(d, c as Command), EMPTY_LABELS);
    const result = applyCommand(
      doc,
      { type: 'addSegment', segment: segment('s2', 8, 12) },
      context,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'overlap' } });
    if (!result.ok) {
      expect(result.error.message).toContain('in the Cook row');
      expect(result.error.message).not.toContain('9343e6a9');
    }
  });
});

describe('renaming a track', () => {
  const doc = must(EMPTY_LABELS, { type: 'addTrack', track: track('p', [], 'Person 1') });

  it('trims the name, undoes, and refuses an empty one', () => {
    const result = applyCommand(
      doc,
      { type: 'renameTrack', trackId: 'p', label: '  Cook ' },
      context,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.doc.tracks[0]?.label).toBe('Cook');
    expect(must(result.doc, result.inverse)).toEqual(doc);
    expect(
      applyCommand(doc, { type: 'renameTrack', trackId: 'p', label: '  ' }, context),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
  });
});
