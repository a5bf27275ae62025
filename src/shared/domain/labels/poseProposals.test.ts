import { describe, expect, it } from 'vitest';
import { applyCommand } from './commands';
import { EMPTY_LABELS, type EditContext, type LabelsDocument } from './labelsDocument';
import {
  BUILT_IN_TEMPLATES,
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  type SkeletonTemplate,
} from './projectSchema';
import {
  acceptPoseCommand,
  acceptProposalsCommand,
  associateProposals,
  lowestScoredPoint,
  nextUnacceptedPoint,
  unacceptedPoints,
  poseSimilarity,
  poseToPoints,
  proposalCommand,
  scalePose,
} from './poseProposals';
import { keyframeAt, type Track } from './tracks';
import type { FrameProposal, ModelPose } from '../modelPose';

const coco = BUILT_IN_TEMPLATES.find((t) => t.id === COCO_BODY_TEMPLATE_ID) as SkeletonTemplate;
const context: EditContext = {
  frameCount: 100,
  allowSegmentOverlap: false,
  templates: BUILT_IN_TEMPLATES,
};
const MODEL = 'blazepose-full (test)';

/** pose-detection's BLAZEPOSE_KEYPOINTS, in its order (33 points). */
const BLAZEPOSE_NAMES = [
  'nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye',
  'right_eye_outer', 'left_ear', 'right_ear', 'mouth_left', 'mouth_right', 'left_shoulder',
  'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_pinky',
  'right_pinky', 'left_index', 'right_index', 'left_thumb', 'right_thumb', 'left_hip', 'right_hip',
  'left_knee', 'right_knee', 'left_ankle', 'right_ankle', 'left_heel', 'right_heel',
  'left_foot_index', 'right_foot_index',
]; // prettier-ignore

/** A standing person 100 px wide, 300 tall, with its top-left at (x, y); point i at a known place. */
function blazePose(x: number, y: number, score = 0.9): ModelPose {
  return {
    score,
    keypoints: BLAZEPOSE_NAMES.map((name, i) => ({
      name,
      x: x + (i % 5) * 25,
      y: y + i * 9,
      score,
    })),
  };
}

function apply(doc: LabelsDocument, proposal: FrameProposal, threshold = 0.5) {
  let n = 0;
  const result = proposalCommand(doc, proposal, coco, {
    model: MODEL,
    scoreThreshold: threshold,
    newTrack: () => ({ id: `t${++n}-${proposal.frame}`, label: `Person ${n}`, color: '#112233' }),
  });
  if (!result.command) return { doc, result };
  const applied = applyCommand(doc, result.command, context);
  if (!applied.ok) throw new Error(applied.error.message);
  return { doc: applied.doc, result, inverse: applied.inverse };
}

describe('poseToPoints', () => {
  it('maps BlazePose’s 33 points onto COCO-17 by name, in COCO order, as model points', () => {
    const points = poseToPoints(blazePose(0, 0), coco, { model: MODEL, scoreThreshold: 0.5 });
    expect(points).toHaveLength(17);
    COCO_BODY_KEYPOINTS.forEach((name, i) => {
      const source = BLAZEPOSE_NAMES.indexOf(name);
      expect(points[i]).toEqual({
        x: (source % 5) * 25,
        y: source * 9,
        visibility: 'visible',
        source: 'model',
        model: MODEL,
        score: 0.9,
      });
    });
  });

  it('keeps BlazePose’s extra points when the template asks for them, and leaves unknown names undecided', () => {
    const feet: SkeletonTemplate = {
      id: 'feet',
      name: 'Feet',
      kind: 'body',
      keypoints: ['left_heel', 'left_foot_index', 'tail'],
      skeleton: [],
    };
    const points = poseToPoints(blazePose(0, 0), feet, { model: MODEL, scoreThreshold: 0.5 });
    expect(points[0]).toMatchObject({ x: (29 % 5) * 25, y: 29 * 9 });
    expect(points[1]).toMatchObject({ x: (31 % 5) * 25, y: 31 * 9 });
    expect(points[2]).toBeNull();
  });

  it('brings points scored below the threshold in as "not labeled", keeping place and score', () => {
    const pose = blazePose(0, 0, 0.9);
    const wrist = pose.keypoints.find((k) => k.name === 'left_wrist');
    if (wrist) wrist.score = 0.3;
    const points = poseToPoints(pose, coco, { model: MODEL, scoreThreshold: 0.5 });
    expect(points[COCO_BODY_KEYPOINTS.indexOf('left_wrist')]).toMatchObject({
      visibility: 'unlabeled',
      source: 'model',
      score: 0.3,
    });
    expect(points[COCO_BODY_KEYPOINTS.indexOf('right_wrist')]).toMatchObject({
      visibility: 'visible',
    });
  });

  it('scales a pose found on a downscaled picture back to displayed pixels', () => {
    const scaled = scalePose(
      { score: 1, keypoints: [{ name: 'nose', x: 10, y: 20, score: 1 }] },
      3,
      2,
    );
    expect(scaled.keypoints[0]).toMatchObject({ x: 30, y: 40 });
  });
});

describe('poseSimilarity', () => {
  const names = coco.keypoints;
  const points = (dx: number) =>
    poseToPoints(blazePose(dx, 0), coco, { model: MODEL, scoreThreshold: 0 });
  it('is 1 for the same pose, falls with distance, and is ~0 for a person standing elsewhere', () => {
    expect(poseSimilarity(points(0), points(0), names)).toBeCloseTo(1);
    const near = poseSimilarity(points(0), points(10), names);
    expect(near).toBeGreaterThan(0.5);
    expect(near).toBeLessThan(1);
    expect(poseSimilarity(points(0), points(400), names)).toBeLessThan(0.01);
  });
});

describe('proposalCommand and associateProposals', () => {
  it('makes a new person track for a first proposal, undoable in one step', () => {
    const { doc, result, inverse } = apply(EMPTY_LABELS, { frame: 10, poses: [blazePose(0, 0)] });
    expect(result.addedTrackIds).toEqual(['t1-10']);
    expect(doc.tracks).toHaveLength(1);
    expect(doc.tracks[0]?.keyframes[0]?.points.every((p) => p?.source === 'model')).toBe(true);
    if (!inverse) throw new Error('expected an inverse');
    const undone = applyCommand(doc, inverse, context);
    expect(undone.ok && undone.doc.tracks).toEqual([]);
  });

  it('puts the next frame’s proposals on the same tracks (two people, listed in the other order)', () => {
    let { doc } = apply(EMPTY_LABELS, { frame: 0, poses: [blazePose(0, 0), blazePose(400, 0)] });
    expect(doc.tracks).toHaveLength(2);
    const [left, right] = doc.tracks as [Track, Track];
    ({ doc } = apply(doc, { frame: 10, poses: [blazePose(420, 5), blazePose(15, 5)] }));
    expect(doc.tracks).toHaveLength(2);
    expect(keyframeAt(doc.tracks[0] as Track, 10)?.points[0]).toMatchObject({ x: 15 });
    expect(keyframeAt(doc.tracks[1] as Track, 10)?.points[0]).toMatchObject({ x: 420 });
    expect(doc.tracks.map((t) => t.id)).toEqual([left.id, right.id]);
  });

  it('starts a new track for a person who appears far from every track', () => {
    let { doc } = apply(EMPTY_LABELS, { frame: 0, poses: [blazePose(0, 0)] });
    ({ doc } = apply(doc, { frame: 5, poses: [blazePose(0, 0), blazePose(600, 0)] }));
    expect(doc.tracks).toHaveLength(2);
  });

  it('never overwrites a keyframe a person has edited', () => {
    let { doc } = apply(EMPTY_LABELS, { frame: 0, poses: [blazePose(0, 0)] });
    const track = doc.tracks[0] as Track;
    const accept = acceptPoseCommand(track, 0);
    if (!accept) throw new Error('expected an accept command');
    const accepted = applyCommand(doc, accept, context);
    if (!accepted.ok) throw new Error(accepted.error.message);
    doc = accepted.doc;
    const again = apply(doc, { frame: 0, poses: [blazePose(5, 0)] });
    expect(again.result.command).toBeNull();
    expect(again.result.keptTrackIds).toEqual([track.id]);
  });

  it('ignores a pose with no point above the threshold', () => {
    const { result } = apply(EMPTY_LABELS, { frame: 0, poses: [blazePose(0, 0, 0.2)] }, 0.5);
    expect(result.command).toBeNull();
  });

  it('only matches person tracks of the same template', () => {
    const hand: Track = {
      id: 'h',
      kind: 'left_hand',
      templateId: 'mediapipe21-left-hand',
      label: 'Left hand 1',
      color: '#000000',
      keyframes: [],
    };
    const points = poseToPoints(blazePose(0, 0), coco, { model: MODEL, scoreThreshold: 0.5 });
    expect(associateProposals([hand], [points], 0, coco)).toEqual([null]);
  });
});

describe('acceptPoseCommand', () => {
  it('turns every model point of the keyframe manual in one undoable command, keeping place and visibility', () => {
    const pose = blazePose(0, 0);
    const nose = pose.keypoints[0];
    if (nose) nose.score = 0.1;
    const { doc } = apply(EMPTY_LABELS, { frame: 3, poses: [pose] });
    const track = doc.tracks[0] as Track;
    const command = acceptPoseCommand(track, 3);
    if (!command) throw new Error('expected an accept command');
    const accepted = applyCommand(doc, command, context);
    if (!accepted.ok) throw new Error(accepted.error.message);
    const points = keyframeAt(accepted.doc.tracks[0] as Track, 3)?.points ?? [];
    expect(points.every((p) => p?.source === 'manual')).toBe(true);
    expect(points[0]).toEqual({ x: 0, y: 0, visibility: 'unlabeled', source: 'manual' });
    const undone = applyCommand(accepted.doc, accepted.inverse, context);
    expect(undone.ok && undone.doc).toEqual(doc);
  });

  it('has nothing to accept on a frame without model points', () => {
    const { doc } = apply(EMPTY_LABELS, { frame: 3, poses: [blazePose(0, 0)] });
    expect(acceptPoseCommand(doc.tracks[0] as Track, 4)).toBeNull();
  });
});

describe('accepting proposals in bulk', () => {
  const model = (x: number) => ({
    x,
    y: x,
    visibility: 'visible' as const,
    source: 'model' as const,
    model: MODEL,
    score: 0.8,
  });
  const manual = (x: number) => ({
    x,
    y: x,
    visibility: 'visible' as const,
    source: 'manual' as const,
  });
  const run = (id: string, frames: number[]): Track => ({
    id,
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: id,
    color: '#112233',
    keyframes: frames.map((frame) => ({
      frame,
      points: COCO_BODY_KEYPOINTS.map((_, i) => (i === 0 ? manual(frame) : model(frame + i))),
    })),
  });
  const doc: LabelsDocument = {
    ...EMPTY_LABELS,
    tracks: [
      run(
        'a',
        Array.from({ length: 18 }, (_, i) => 10 + i),
      ),
      run('b', [12, 40]),
    ],
  };
  const modelPoints = (labels: LabelsDocument) =>
    labels.tracks.flatMap((t) =>
      t.keyframes.flatMap((k) => k.points.filter((p) => p?.source === 'model')),
    );

  it('accepts an 18-frame run of one track in one undoable command, leaving the others', () => {
    const accepted = acceptProposalsCommand(doc, { trackId: 'a' });
    if (!accepted) throw new Error('nothing to accept');
    expect(accepted).toMatchObject({ keyframes: 18, points: 18 * 16 });
    const applied = applyCommand(doc, accepted.command, context);
    if (!applied.ok) throw new Error(applied.error.message);
    expect(modelPoints(applied.doc)).toHaveLength(2 * 16);
    // Positions and visibility are kept; only the source changes.
    expect(applied.doc.tracks[0]?.keyframes[3]?.points[5]).toEqual(manual(18));
    expect(applyCommand(applied.doc, applied.inverse, context)).toMatchObject({ doc });
  });

  it('accepts one frame of every track, or a range, and says when there is nothing to accept', () => {
    expect(acceptProposalsCommand(doc, { frames: { first: 12, last: 12 } })).toMatchObject({
      keyframes: 2,
    });
    expect(acceptProposalsCommand(doc, { frames: { first: 30, last: 45 } })).toMatchObject({
      keyframes: 1,
    });
    expect(acceptProposalsCommand(doc, { frames: { first: 50, last: 60 } })).toBeNull();
  });
});

describe('going to the proposals left to check', () => {
  const model = (score: number) =>
    ({ x: 1, y: 1, visibility: 'visible', source: 'model', model: MODEL, score }) as const;
  const manual = { x: 1, y: 1, visibility: 'visible', source: 'manual' } as const;
  const track = (id: string, keyframes: Track['keyframes']): Track => ({
    id,
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: id,
    color: '#000000',
    keyframes,
  });
  const doc: LabelsDocument = {
    ...EMPTY_LABELS,
    tracks: [
      track('a', [
        { frame: 10, points: [model(0.9), manual, model(0.2)] },
        { frame: 30, points: [manual, manual, manual] },
      ]),
      track('b', [
        { frame: 10, points: [model(0.5)] },
        { frame: 20, points: [manual, model(0.2)] },
      ]),
    ],
  };

  it('lists every unaccepted model point by frame, track and point', () => {
    expect(unacceptedPoints(doc).map((p) => `${p.frame}/${p.trackId}/${p.point}`)).toEqual([
      '10/a/0',
      '10/a/2',
      '10/b/0',
      '20/b/1',
    ]);
  });

  it('goes to the next unaccepted point after the selected one, wrapping round', () => {
    const next = (frame: number, trackId: string | null, point: number | null) => {
      const p = nextUnacceptedPoint(doc, { frame, trackId, point });
      return p && `${p.frame}/${p.trackId}/${p.point}`;
    };
    expect(next(0, null, null)).toBe('10/a/0');
    expect(next(10, 'a', 0)).toBe('10/a/2');
    expect(next(10, 'a', 2)).toBe('10/b/0');
    expect(next(10, 'a', 1)).toBe('10/b/0');
    expect(next(15, 'a', null)).toBe('20/b/1');
    expect(next(20, 'b', 1)).toBe('10/a/0');
    expect(
      nextUnacceptedPoint(EMPTY_LABELS, { frame: 3, trackId: null, point: null }),
    ).toBeUndefined();
  });

  it('goes to the lowest score first, then on from the last stop, ties in reading order', () => {
    const lowest = (after?: { frame: number; trackId: string; point: number }) => {
      const p = lowestScoredPoint(doc, after);
      return p && `${p.frame}/${p.trackId}/${p.point} ${p.score}`;
    };
    expect(lowest()).toBe('10/a/2 0.2');
    expect(lowest({ frame: 10, trackId: 'a', point: 2 })).toBe('20/b/1 0.2');
    expect(lowest({ frame: 20, trackId: 'b', point: 1 })).toBe('10/b/0 0.5');
    expect(lowest({ frame: 10, trackId: 'b', point: 0 })).toBe('10/a/0 0.9');
    expect(lowest({ frame: 10, trackId: 'a', point: 0 })).toBe('10/a/2 0.2');
    // A stop that was accepted since: back to the lowest.
    expect(lowest({ frame: 30, trackId: 'a', point: 0 })).toBe('10/a/2 0.2');
  });
});
