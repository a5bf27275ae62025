/**
 * The real-world check of issue 7: the exported COCO file loads in a COCO API and its keypoint
 * evaluation runs. npm has no maintained COCO API (none in the npm package list searched for
 * "coco"; the reference one, pycocotools, is Python, which this project does not use), so this file
 * holds a small **independent** reader and OKS evaluation written from pycocotools' `COCO` index
 * and `COCOeval.computeOks` — none of our own reader or metrics code is used. It evaluates the
 * file against itself (OKS = 1, AP = 1) and against a perturbed copy (0 < OKS < 1, AP lower).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRequest } from '../../../src/shared/api/exportSchemas';
import { requireFixtures } from '../fixturePaths';
import { buildWorld, labelClip, sampleTracks, VALID_CONSENT, type World } from './exportWorld';

type Json = Record<string, unknown>;

/** pycocotools' COCO(): index images, categories and annotations, checking references. */
class IndependentCoco {
  readonly imgs = new Map<number, Json>();
  readonly cats = new Map<number, { keypoints: string[]; skeleton: number[][] }>();
  readonly imgToAnns = new Map<number, Json[]>();

  constructor(text: string) {
    const data = JSON.parse(text) as Json;
    for (const key of ['images', 'annotations', 'categories']) {
      if (!Array.isArray(data[key])) throw new Error(`missing ${key}`);
    }
    for (const img of data.images as Json[]) this.imgs.set(img.id as number, img);
    for (const cat of data.categories as Json[]) {
      this.cats.set(cat.id as number, {
        keypoints: cat.keypoints as string[],
        skeleton: cat.skeleton as number[][],
      });
    }
    for (const ann of data.annotations as Json[]) {
      if (!this.imgs.has(ann.image_id as number))
        throw new Error(`ann ${String(ann.id)}: no image`);
      const cat = this.cats.get(ann.category_id as number);
      if (!cat) throw new Error(`ann ${String(ann.id)}: no category`);
      if ((ann.keypoints as number[]).length !== 3 * cat.keypoints.length) {
        throw new Error(`ann ${String(ann.id)}: keypoints length`);
      }
      const list = this.imgToAnns.get(ann.image_id as number) ?? [];
      list.push(ann);
      this.imgToAnns.set(ann.image_id as number, list);
    }
  }
}

/** COCO-17 per-keypoint sigmas, from pycocotools' COCOeval (Params.kpt_oks_sigmas). */
const SIGMAS = [
  0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89,
  0.89,
].map((s) => s / 10);

/** COCOeval.computeOks for one ground truth and one detection (gt's visible points, gt area). */
function oks(gt: Json, dt: Json): number {
  const g = gt.keypoints as number[];
  const d = dt.keypoints as number[];
  const area = gt.area as number;
  let sum = 0;
  let count = 0;
  SIGMAS.forEach((sigma, i) => {
    if ((g[i * 3 + 2] as number) <= 0) return;
    const dx = (d[i * 3] as number) - (g[i * 3] as number);
    const dy = (d[i * 3 + 1] as number) - (g[i * 3 + 1] as number);
    const variance = (2 * sigma) ** 2;
    sum += Math.exp(-(dx * dx + dy * dy) / variance / (area + Number.EPSILON) / 2);
    count += 1;
  });
  return count === 0 ? 0 : sum / count;
}

/** Person annotations matched by image and track; mean OKS and AP over OKS 0.50:0.05:0.95. */
function evaluate(
  gt: IndependentCoco,
  dt: IndependentCoco,
): { meanOks: number; ap: number; n: number } {
  const scores: number[] = [];
  for (const [imageId, gts] of gt.imgToAnns) {
    for (const g of gts) {
      if (g.category_id !== 1) continue;
      const d = dt.imgToAnns
        .get(imageId)
        ?.find((a) => a.track_id === g.track_id && a.category_id === 1);
      scores.push(d ? oks(g, d) : 0);
    }
  }
  const thresholds = Array.from({ length: 10 }, (_, i) => 0.5 + i * 0.05);
  const ap =
    thresholds.reduce(
      (sum, t) => sum + scores.filter((s) => s >= t - 1e-12).length / scores.length,
      0,
    ) / thresholds.length;
  return { meanOks: scores.reduce((a, b) => a + b, 0) / scores.length, ap, n: scores.length };
}

let w: World;
let text: string;

beforeAll(async () => {
  requireFixtures();
  w = await buildWorld(
    [{ name: 'b', files: ['cfr30.mp4', 'cfr60.mp4'], consent: VALID_CONSENT }],
    'coco-eval',
  );
  for (const [i, { clipId }] of [...w.clips.values()].entries())
    labelClip(w, clipId, 'accepted', sampleTracks(i * 5));
  const out = join(w.root, 'out');
  await w.services.exports.run(ExportRequest.parse({ formats: ['coco'], destination: out }));
  text = readFileSync(join(out, 'coco_keypoints.json'), 'utf8');
});
afterAll(() => w.remove());

describe('the exported COCO file in an independent COCO reader and OKS evaluation', () => {
  it('loads: every annotation refers to an image and a category and has 3·K numbers', () => {
    const coco = new IndependentCoco(text);
    expect(coco.imgs.size).toBe(2 * 21);
    expect(coco.cats.get(1)?.keypoints).toHaveLength(17);
  });

  it('scores OKS 1 and AP 1 against itself', () => {
    const result = evaluate(new IndependentCoco(text), new IndependentCoco(text));
    expect(result.n).toBe(42);
    expect(result.meanOks).toBeCloseTo(1, 12);
    expect(result.ap).toBe(1);
  });

  it('scores a perturbed copy below 1, and lower the more it is perturbed', () => {
    const perturb = (pixels: number) => {
      const data = JSON.parse(text) as { annotations: { keypoints: number[] }[] };
      for (const ann of data.annotations) {
        ann.keypoints = ann.keypoints.map((v, i) =>
          i % 3 === 2 || ann.keypoints[i - (i % 3) + 2] === 0
            ? v
            : v + (i % 2 === 0 ? pixels : -pixels),
        );
      }
      return new IndependentCoco(JSON.stringify(data));
    };
    const gt = new IndependentCoco(text);
    const small = evaluate(gt, perturb(2));
    const large = evaluate(gt, perturb(8));
    expect(small.meanOks).toBeLessThan(1);
    expect(small.meanOks).toBeGreaterThan(large.meanOks);
    expect(large.meanOks).toBeGreaterThan(0);
    expect(large.ap).toBeLessThan(small.ap + 1e-12);
  });
});
