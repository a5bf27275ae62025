import { beforeEach, describe, expect, it } from 'vitest';
import { applyCommand } from './commands';
import { frameProposalCommand, handSimilarity, resolveHandSide } from './handProposals';
import { EMPTY_LABELS, editContextFor, type LabelsDocument } from './labelsDocument';
import {
  BUILT_IN_TEMPLATES,
  COCO_BODY_TEMPLATE_ID,
  findTemplate,
  MEDIAPIPE_HAND_KEYPOINTS,
  parseProjectSchema,
  type SkeletonTemplate,
} from './projectSchema';
import type { FrameProposal, ModelHand } from '../modelPose';

const parsed = parseProjectSchema(
  JSON.stringify({ version: 1, name: 'T', taxonomy: { verbs: [], nouns: [] } }),
);
if (!parsed.ok) throw new Error(parsed.message);
const context = editContextFor(parsed.project, 100);

const coco = findTemplate(BUILT_IN_TEMPLATES, COCO_BODY_TEMPLATE_ID) as SkeletonTemplate;

function hand(side: 'left' | 'right', x: number, score = 0.9): ModelHand {
  return {
    side,
    score,
    keypoints: MEDIAPIPE_HAND_KEYPOINTS.map((name, i) => ({
      name,
      x: x + (i % 5) * 4,
      y: 100 + i * 3,
      score,
    })),
  };
}

let made = 0;
const options = {
  model: 'body (test)',
  handModel: 'hands (test)',
  scoreThreshold: 0.5,
  newTrack: (i: number) => ({ id: `p${i}`, label: `Person ${i + 1}`, color: '#111111' }),
  // A counter makes ids unique across frames, as the renderer's UUIDs are.
  newHandTrack: (side: 'left' | 'right') => ({
    id: `${side}${made++}`,
    label: side,
    color: '#222222',
  }),
};

function apply(doc: LabelsDocument, proposal: FrameProposal): LabelsDocument {
  const { command } = frameProposalCommand(doc, proposal, coco, BUILT_IN_TEMPLATES, options);
  if (!command) return doc;
  const result = applyCommand(doc, command, context);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.doc;
}

describe('hand sides', () => {
  it('keeps the pose model’s side for an unmirrored camera (egocentric head-mounted), swaps it for a mirrored one', () => {
    expect(resolveHandSide('left', false)).toBe('left');
    expect(resolveHandSide('right', false)).toBe('right');
    expect(resolveHandSide('left', true)).toBe('right');
    expect(resolveHandSide('right', true)).toBe('left');
  });
});

describe('frameProposalCommand', () => {
  beforeEach(() => {
    made = 0;
  });

  it('puts hands on their side’s hand track with the hand model’s name, in one command with the body', () => {
    const proposal: FrameProposal = {
      frame: 3,
      poses: [{ score: null, keypoints: [], hands: [hand('left', 300), hand('right', 50)] }],
    };
    const result = frameProposalCommand(EMPTY_LABELS, proposal, coco, BUILT_IN_TEMPLATES, options);
    // No body points (the pose has none): only the two hand tracks, one batch.
    expect(result.command?.type).toBe('batch');
    expect(result.addedTrackIds).toEqual(['left0', 'right1']);
    made = 0;
    const doc = apply(EMPTY_LABELS, proposal);
    const left = doc.tracks.find((t) => t.id === 'left0');
    expect(left).toMatchObject({ kind: 'left_hand', templateId: 'mediapipe21-left-hand' });
    expect(left?.keyframes[0]?.points).toHaveLength(21);
    expect(left?.keyframes[0]?.points[0]).toMatchObject({
      source: 'model',
      model: 'hands (test)',
      x: 300,
      score: 0.9,
      visibility: 'visible',
    });
    expect(doc.tracks.find((t) => t.id === 'right1')?.kind).toBe('right_hand');
  });

  it('adds the next frame’s hand to the same track, and leaves out a hand below the threshold', () => {
    const first = apply(EMPTY_LABELS, {
      frame: 0,
      poses: [{ score: null, keypoints: [], hands: [hand('left', 300)] }],
    });
    const second = apply(first, {
      frame: 5,
      poses: [{ score: null, keypoints: [], hands: [hand('left', 306), hand('right', 50, 0.2)] }],
    });
    expect(second.tracks.map((t) => t.id)).toEqual(['left0']);
    expect(second.tracks[0]?.keyframes.map((k) => k.frame)).toEqual([0, 5]);
  });

  it('marks a hand point scored 0 (off the picture) as not labeled', () => {
    const offPicture = hand('right', 50);
    const keypoints = offPicture.keypoints.map((k, i) => (i === 4 ? { ...k, score: 0 } : k));
    const doc = apply(EMPTY_LABELS, {
      frame: 0,
      poses: [{ score: null, keypoints: [], hands: [{ ...offPicture, keypoints }] }],
    });
    const points = doc.tracks[0]?.keyframes[0]?.points ?? [];
    expect(points[4]?.visibility).toBe('unlabeled');
    expect(points[3]?.visibility).toBe('visible');
  });

  it('keeps a small hand that moved a few pixels on its track, and gives another person’s hand its own', () => {
    // hand() spans 16 × 60 px; 8 px moved is what a slow pan does between keyframes.
    const first = apply(EMPTY_LABELS, {
      frame: 0,
      poses: [{ score: null, keypoints: [], hands: [hand('left', 300)] }],
    });
    const second = apply(first, {
      frame: 5,
      poses: [
        { score: null, keypoints: [], hands: [hand('left', 308)] },
        { score: null, keypoints: [], hands: [hand('left', 40)] },
      ],
    });
    expect(second.tracks.map((t) => t.keyframes.map((k) => k.frame))).toEqual([[0, 5], [5]]);
  });
});

describe('handSimilarity', () => {
  it('is 1 for the same place and falls with distance measured in hand sizes', () => {
    const at = (x: number) => hand('left', x).keypoints.map((k) => ({ x: k.x, y: k.y }));
    expect(handSimilarity(at(0), at(0))).toBeCloseTo(1);
    // Diagonal of hand() ≈ 62 px: 8 px is ~0.13 of it.
    expect(handSimilarity(at(0), at(8))).toBeGreaterThan(0.95);
    expect(handSimilarity(at(0), at(62))).toBeCloseTo(Math.exp(-1), 1);
    expect(handSimilarity(at(0), at(260))).toBeLessThan(0.01);
    expect(handSimilarity([null], at(0))).toBe(0);
  });
});
