import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { framewise } from './runFramewise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  COCO_BODY_TEMPLATE_ID,
  type Segment,
  type Track,
} from '../../src/shared/domain/labels';
import {
  cocoKeypointsChunks,
  epicActionsCsvChunks,
  exportLabelsFor,
} from '../../src/shared/formats';
import { tempDir } from './fixturePaths';

let dir: { path: string; remove: () => void };

beforeAll(() => {
  dir = tempDir('agreement');
});
afterAll(() => dir.remove());

/** One annotator's person track on a 30-frame clip: keyframes at 0 and 29, points `shift` px right. */
function person(shift: number): Track {
  const keyframe = (frame: number) => ({
    frame,
    points: Array.from({ length: 17 }, (_, i) => ({
      x: 100 + i * 6 + shift + frame,
      y: 80 + i * 9,
      visibility: 'visible' as const,
      source: 'manual' as const,
    })),
  });
  return {
    id: 'person-1',
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: 'Person 1',
    color: '#336699',
    keyframes: [keyframe(0), keyframe(29)],
  };
}

/** The COCO file our exporter writes for that track, as a team lead would hand it over. */
function writeCoco(name: string, shift: number): string {
  const file = join(dir.path, name);
  const frameTimes = Array.from({ length: 30 }, (_, i) => i / 30);
  const chunks = cocoKeypointsChunks({
    info: { description: name },
    categories: exportLabelsFor(BUILT_IN_TEMPLATES),
    clips: () => [
      { videoId: 'clip-1', width: 640, height: 480, frameTimes, tracks: [person(shift)] },
    ],
  });
  writeFileSync(file, [...chunks].join(''));
  return file;
}

function writeActions(name: string, segments: Segment[]): string {
  const file = join(dir.path, name);
  const frameTimes = Array.from({ length: 100 }, (_, i) => i / 30);
  const taxonomy = {
    verbs: [
      { id: 0, key: 'take' },
      { id: 1, key: 'open' },
    ],
    nouns: [
      { id: 0, key: 'cup' },
      { id: 1, key: 'drawer' },
    ],
  };
  const chunks = epicActionsCsvChunks(
    [{ videoId: 'clip-1', participantId: 'P01', frameTimes, segments }],
    taxonomy,
  );
  writeFileSync(file, [...chunks].join(''));
  return file;
}

function segment(id: string, start: number, end: number, verb: number): Segment {
  return {
    id,
    startFrame: start,
    endFrame: end,
    verbId: verb,
    nounId: verb,
    actor: 'camera_wearer',
    note: '',
  };
}

describe('framewise agreement', () => {
  it('compares two exported COCO files frame by frame, interpolated frames included', async () => {
    const a = writeCoco('a.json', 0);
    const same = await framewise(['agreement', a, writeCoco('same.json', 0), '--json']);
    expect(same.code).toBe(0);
    const identical = JSON.parse(same.stdout) as {
      keypoints: { meanOks: number; frames: unknown[] };
    };
    expect(identical.keypoints.meanOks).toBe(1);
    // Every frame of the span is exported (2 keyframes, 28 interpolated), so 30 poses compare.
    expect(identical.keypoints.frames).toHaveLength(30);

    const shifted = await framewise(['agreement', a, writeCoco('b.json', 4), '--json']);
    const result = JSON.parse(shifted.stdout) as {
      keypoints: { meanOks: number; pck: number; frames: { oks: number }[] };
    };
    expect(result.keypoints.meanOks).toBeLessThan(1);
    expect(result.keypoints.meanOks).toBeGreaterThan(0.5);
    // A uniform shift is the same error on every frame, keyframe or interpolated.
    const first = result.keypoints.frames[0]?.oks ?? 0;
    for (const frame of result.keypoints.frames) expect(frame.oks).toBeCloseTo(first, 9);
  });

  it('adds segment F1 and edit score from two action CSVs', async () => {
    const a = writeCoco('a2.json', 0);
    const actionsA = writeActions('a.csv', [segment('s1', 0, 29, 0), segment('s2', 50, 79, 1)]);
    const actionsB = writeActions('b.csv', [segment('s1', 0, 29, 0)]);
    const out = await framewise(['agreement', a, a, '--actions', actionsA, actionsB, '--json']);
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as {
      actions: { pooled: { edit: number; f1: { threshold: number; f1: number }[] } };
    };
    expect(result.actions.pooled.edit).toBe(50);
    // One of two reference segments found, no false positive: F1 = 2·1·0.5 / 1.5 = 66.7.
    expect(result.actions.pooled.f1[0]?.f1).toBeCloseTo(66.667, 2);

    const human = await framewise(['agreement', a, a, '--actions', actionsA, actionsB]);
    expect(human.stdout).toMatch(/OKS \(mean\): 1\.0000/);
    expect(human.stdout).toMatch(/edit: 50\.0/);
  });

  it('says which file is not a COCO keypoint file, and exits 1', async () => {
    const bad = join(dir.path, 'bad.json');
    writeFileSync(bad, '{"images": [{"id": 1}], "annotations": []}');
    const out = await framewise(['agreement', bad, bad, '--json']);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ error: { code: 'NOT_COCO_KEYPOINTS' } });
    expect(out.stderr).toContain('bad.json');

    const truncated = join(dir.path, 'truncated.json');
    writeFileSync(truncated, '{"images": [');
    expect(
      JSON.parse((await framewise(['agreement', truncated, bad, '--json'])).stdout),
    ).toMatchObject({
      error: { code: 'NOT_JSON' },
    });
  });
});
