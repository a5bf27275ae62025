import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelPose } from '../../../src/shared/api/preannotationSchemas';
import { decodeFrameRgb } from '../../../src/main/services/media/ffmpeg';
import {
  createPoseEstimator,
  type PoseEstimator,
} from '../../../src/main/services/preannotation/poseModel';

/**
 * Real photographs of people, from Debian's opencv-doc (4.6.0): not synthetic, not in our repo,
 * and the same bytes on every machine that installs the package (.ci/run installs it).
 */
const DATA = '/usr/share/doc/opencv-doc/examples/data';
const MESSI = `${DATA}/messi5.jpg`; // 548×342, one footballer stretching for the ball
const BASKETBALL = `${DATA}/basketball1.png`; // 640×480 greyscale, two men passing a ball

function requireImages(): void {
  if (!existsSync(MESSI) || !existsSync(BASKETBALL)) {
    throw new Error('Test photos are missing: `apt-get install opencv-doc` (see .ci/run).');
  }
}

type Box = { x0: number; y0: number; x1: number; y1: number };

function point(pose: ModelPose, name: string): { x: number; y: number; score: number } {
  const found = pose.keypoints.find((k) => k.name === name);
  if (!found) throw new Error(`the pose has no ${name}`);
  return found;
}

function inside(p: { x: number; y: number }, box: Box): boolean {
  return p.x >= box.x0 && p.x <= box.x1 && p.y >= box.y0 && p.y <= box.y1;
}

/** Points the annotator would see as placed: the default threshold of the pre-annotation panel. */
const CONFIDENT = 0.5;

async function estimate(estimator: PoseEstimator, path: string, width: number, height: number) {
  const image = await decodeFrameRgb({ input: path, seekSeconds: 0, width, height });
  return estimator.estimate(image);
}

describe('pose proposals on real photographs (tfjs wasm, model files from resources/)', () => {
  let blazePose: PoseEstimator;
  beforeAll(async () => {
    requireImages();
    blazePose = await createPoseEstimator({ model: 'blazepose-full', backend: 'wasm' });
  });
  afterAll(() => blazePose.dispose());

  it('messi5.jpg: one pose, every confident point on the player, wrists and ankles where a person would put them', async () => {
    const poses = await estimate(blazePose, MESSI, 548, 342);
    expect(poses).toHaveLength(1);
    const pose = poses[0] as ModelPose;
    expect(pose.keypoints).toHaveLength(33);

    // The player's box, read off the picture by hand: fingertips of the raised right hand at
    // x ≈ 68, toe of the left boot at x ≈ 458, top of the hair at y ≈ 60, sole of the right boot
    // at y ≈ 335. 10 px of margin (a finger's length here) covers where a joint centre sits
    // inside the outline and my reading of blurred edges; the box still excludes the ball
    // (x 338–388, y 290–335 is inside it, but no body point is near the ball's centre) and the
    // crowd that fills the rest of the frame.
    const player: Box = { x0: 58, y0: 50, x1: 468, y1: 342 };
    const confident = pose.keypoints.filter((k) => k.score >= CONFIDENT);
    expect(confident.length).toBeGreaterThanOrEqual(25);
    for (const k of confident)
      expect({ name: k.name, inside: inside(k, player) }).toEqual({ name: k.name, inside: true });

    // Where I put these joints by hand on 4–6× crops (the crease between hand and forearm; the
    // top of the boot's heel counter for ankles). Margin 30 px: half the shin's length in this
    // picture (knee to ankle ≈ 65–75 px) and under a third of the distance between the two
    // ankles (≈ 150 px), so a joint mistaken for its neighbour (ankle for knee or heel-to-toe)
    // or a left/right swap fails, while the model's blur-and-boot uncertainty on the far foot
    // (measured 23 px on this image) passes.
    const expected: Record<string, { x: number; y: number }> = {
      right_wrist: { x: 99, y: 98 }, // the raised arm on the picture's left
      left_wrist: { x: 348, y: 164 },
      right_ankle: { x: 285, y: 312 }, // the planted foot by the ball
      left_ankle: { x: 421, y: 263 }, // the stretched leg, boot blurred by motion
    };
    for (const [name, at] of Object.entries(expected)) {
      const p = point(pose, name);
      expect(p.score, `${name} score`).toBeGreaterThanOrEqual(CONFIDENT);
      expect(Math.hypot(p.x - at.x, p.y - at.y), `${name} distance`).toBeLessThan(30);
    }
  });

  it('basketball1.png: MoveNet MultiPose finds both players, one in each player’s box', async () => {
    const movenet = await createPoseEstimator({ model: 'movenet-multipose', backend: 'wasm' });
    try {
      const poses = await estimate(movenet, BASKETBALL, 640, 480);
      // The boxes, by hand: the man holding the ball stands in x 35–165 (elbow to shoulder),
      // the man in the shirt on the right fills x 435–640 (he is cut by the frame), both down to
      // the bottom edge. Each found person is the box holding the median of his confident points
      // (the median, because MoveNet scores a half-visible person's far limbs low and may put
      // them anywhere).
      const left: Box = { x0: 25, y0: 70, x1: 175, y1: 480 };
      const right: Box = { x0: 425, y0: 10, x1: 640, y1: 480 };
      const people = poses.filter((p) => (p.score ?? 0) >= 0.25);
      const centres = people.map((pose) => {
        const pts = pose.keypoints.filter((k) => k.score >= 0.3);
        const median = (values: number[]) =>
          values.sort((a, b) => a - b)[values.length >> 1] ?? NaN;
        return { x: median(pts.map((k) => k.x)), y: median(pts.map((k) => k.y)) };
      });
      expect(centres.filter((c) => inside(c, left))).toHaveLength(1);
      expect(centres.filter((c) => inside(c, right))).toHaveLength(1);
      expect(people).toHaveLength(2);
    } finally {
      movenet.dispose();
    }
  });
});
