import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { framewise } from '../runFramewise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProjectSchema } from '../../../src/main/services/labels/defaultProject';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_SKELETON,
  projectTemplates,
} from '../../../src/shared/domain/labels';
import {
  exportLabelsFor,
  readCocoKeypoints,
  readCvatVideo,
  parseXml,
} from '../../../src/shared/formats';
import { requireFixtures } from '../fixturePaths';
import { buildWorld, VALID_CONSENT, type World } from './exportWorld';

const labels = exportLabelsFor(projectTemplates(defaultProjectSchema()));
let w: World;

beforeAll(async () => {
  requireFixtures();
  w = await buildWorld(
    [{ name: 'b', files: ['cfr30.mp4', 'vfr.mp4', 'cfr60.mp4'], consent: VALID_CONSENT }],
    'export-cli',
  );
});
afterAll(() => w.remove());

const clipId = (file: string) => w.clips.get(`b/${file}`)?.clipId ?? '';
/** What exports name a clip by: the sha256 of its file. */
const videoId = (file: string) => w.services.store.media.getClip(clipId(file))?.sha256 ?? '';
const batchId = () => w.clips.get('b/cfr30.mp4')?.batchId ?? '';

/** Linear interpolation, as CVAT interpolates between keyframes. */
const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

/**
 * A CVAT for video 1.1 file written the way CVAT writes skeleton tracks (not by our writer):
 * keyframes at 0, 10 and 20, every frame between with keyframe="0", then outside="1" at 21.
 * Point 1 (left_eye) is outside on every frame, point 5 (left_shoulder) occluded.
 */
function cvatInput(size: number): string {
  const key = (frame: number): [number, number] => (frame <= 10 ? [0, 10] : [10, 20]);
  const at = (frame: number, i: number): [number, number] => {
    const kx = (f: number) => 40 + i * 11 + f * 1.5 + (f === 10 ? 3.25 : 0);
    const ky = (f: number) => 30 + i * 8 - f * 0.75;
    const [a, b] = key(frame);
    const t = (frame - a) / (b - a);
    return [lerp(kx(a), kx(b), t), lerp(ky(a), ky(b), t)];
  };
  const shapes: string[] = [];
  for (let frame = 0; frame <= 21; frame++) {
    const keyframe = frame % 10 === 0 || frame === 21 ? 1 : 0;
    const outside = frame === 21 ? 1 : 0;
    const points = COCO_BODY_KEYPOINTS.map((name, i) => {
      const [x, y] = at(Math.min(frame, 20), i);
      const gone = i === 1 || outside === 1 ? 1 : 0;
      return `        <points label="${name}" outside="${gone}" occluded="${i === 5 ? 1 : 0}" keyframe="${keyframe}" points="${x.toFixed(2)},${y.toFixed(2)}" z_order="0"></points>`;
    });
    shapes.push(
      `      <skeleton frame="${frame}" keyframe="${keyframe}" outside="${outside}" occluded="0" z_order="0">\n${points.join('\n')}\n      </skeleton>`,
    );
  }
  const sublabels = COCO_BODY_KEYPOINTS.map(
    (name) =>
      `        <label><name>${name}</name><color>#d12345</color><type>points</type><attributes></attributes><parent>person</parent></label>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <id>7</id><name>kitchen</name><size>${size}</size><mode>interpolation</mode><overlap>0</overlap>
      <labels>
        <label><name>person</name><color>#fa3253</color><type>skeleton</type><attributes></attributes>
          <svg>${COCO_BODY_SKELETON.map(([a, b]) => `&lt;line data-node-from="${a}" data-node-to="${b}"/&gt;`).join('')}</svg></label>
${sublabels.join('\n')}
      </labels>
      <original_size><width>320</width><height>240</height></original_size>
    </task>
  </meta>
  <track id="0" label="person" source="manual">
${shapes.join('\n')}
  </track>
</annotations>
`;
}

/** Every frame's placed points of the first track: "frame/label" → [x, y, occluded]. */
function framesOf(xml: string): Map<string, [number, number, string]> {
  const root = parseXml(xml);
  const track = root.children.find((c) => c.name === 'track');
  const points = new Map<string, [number, number, string]>();
  for (const shape of track?.children ?? []) {
    if (shape.attributes.outside === '1') continue;
    for (const p of shape.children) {
      if (p.attributes.outside === '1') continue;
      const [x = NaN, y = NaN] = (p.attributes.points ?? '').split(',').map(Number);
      points.set(`${shape.attributes.frame ?? ''}/${p.attributes.label ?? ''}`, [
        x,
        y,
        p.attributes.occluded ?? '',
      ]);
    }
  }
  return points;
}

function accept(setId: string): void {
  w.services.store.labels.transitionAnnotationSet(
    setId,
    ['submitted', 'in_review', 'accepted'],
    'reviewer_b',
  );
}

describe('framewise import-labels and export, as processes', () => {
  it('CVAT XML → import-labels → export CVAT gives the same track, keyframes and points', async () => {
    const input = join(w.root, 'in.xml');
    const xml = cvatInput(90);
    writeFileSync(input, xml);
    const imported = await framewise([
      'import-labels',
      clipId('cfr30.mp4'),
      input,
      '--db',
      w.databasePath,
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const result = JSON.parse(imported.stdout) as {
      setId: string;
      format: string;
      keyframes: number;
    };
    expect(result).toMatchObject({ format: 'cvat', tracks: 1, keyframes: 3 });
    accept(result.setId);

    const out = join(w.root, 'out-cvat');
    const exported = await framewise([
      'export',
      '--batch',
      batchId(),
      '--format',
      'cvat',
      '--out',
      out,
      '--db',
      w.databasePath,
    ]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/export done/);
    const report = JSON.parse(exported.stdout) as { exported: { clipId: string }[] };
    expect(report.exported.map((c) => c.clipId)).toEqual([clipId('cfr30.mp4')]);

    const back = readFileSync(join(out, 'cvat', `${videoId('cfr30.mp4')}.xml`), 'utf8');
    const before = readCvatVideo(xml, labels);
    const after = readCvatVideo(back, labels);
    expect(after.tracks.map((t) => t.keyframes)).toEqual(before.tracks.map((t) => t.keyframes));
    expect(after.tracks.map((t) => t.templateId)).toEqual(before.tracks.map((t) => t.templateId));
    // Not only the keyframes: every interpolated frame equals CVAT's own interpolation.
    // Both files hold the true value rounded to 2 decimals, each within 0.005 of it, and a true
    // x.xx5 may round either way in each: so they agree within 0.01.
    const expected = framesOf(xml);
    const actual = framesOf(back);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(actual.size).toBe(21 * 16);
    for (const [key, [x, y, occluded]] of expected) {
      const got = actual.get(key);
      expect(Math.abs((got?.[0] ?? NaN) - x), key).toBeLessThanOrEqual(0.01 + 1e-9);
      expect(Math.abs((got?.[1] ?? NaN) - y), key).toBeLessThanOrEqual(0.01 + 1e-9);
      expect(got?.[2], key).toBe(occluded);
    }
  });

  it('COCO → import-labels → export COCO gives the same keyframes and points', async () => {
    const clip = clipId('vfr.mp4');
    const keypoints = (dx: number) =>
      COCO_BODY_KEYPOINTS.flatMap((_, i) =>
        i === 2 ? [0, 0, 0] : [50 + i * 5 + dx, 60 + i * 3, i === 7 ? 1 : 2],
      );
    const coco = {
      images: [3, 7].map((frame, i) => ({
        id: i + 1,
        width: 320,
        height: 240,
        file_name: `f${frame}.jpg`,
        video_id: videoId('vfr.mp4'),
        frame_index: frame,
      })),
      annotations: [3, 7].map((frame, i) => ({
        id: i + 1,
        image_id: i + 1,
        category_id: 1,
        track_id: 4,
        iscrowd: 0,
        keypoints: keypoints(frame * 2.5),
        num_keypoints: 16,
        bbox: [0, 0, 1, 1],
        area: 1,
      })),
      categories: [
        {
          id: 1,
          name: 'person',
          supercategory: 'person',
          keypoints: [...COCO_BODY_KEYPOINTS],
          skeleton: COCO_BODY_SKELETON,
        },
      ],
    };
    const input = join(w.root, 'in.json');
    writeFileSync(input, JSON.stringify(coco));
    const imported = await framewise(['import-labels', clip, input, '--db', w.databasePath]);
    expect(imported.code).toBe(0);
    const result = JSON.parse(imported.stdout) as { setId: string };
    expect(result).toMatchObject({ format: 'coco', tracks: 1, keyframes: 2 });
    accept(result.setId);

    const out = join(w.root, 'out-coco');
    const exported = await framewise([
      'export',
      '--all',
      '--format',
      'coco',
      '--out',
      out,
      '--db',
      w.databasePath,
    ]);
    expect(exported.code).toBe(0);
    const text = readFileSync(join(out, 'coco_keypoints.json'), 'utf8');
    const before = readCocoKeypoints(JSON.stringify(coco), labels);
    const after = readCocoKeypoints(text, labels, { keyframesOnly: true }).find(
      (v) => v.videoId === videoId('vfr.mp4'),
    );
    expect(after?.tracks.map((t) => t.keyframes)).toEqual(
      before[0]?.tracks.map((t) => t.keyframes),
    );
    // Frames 4–6 are interpolated in the export, flagged so, and between the two keyframes.
    const file = JSON.parse(text) as {
      images: { video_id: string; frame_index: number; interpolated: boolean }[];
    };
    const frames = file.images.filter((i) => i.video_id === videoId('vfr.mp4'));
    expect(frames.map((i) => [i.frame_index, i.interpolated])).toEqual([
      [3, false],
      [4, true],
      [5, true],
      [6, true],
      [7, false],
    ]);
  });

  it('answers malformed files, unknown clips, wrong frame counts and odd paths with specific errors', async () => {
    const garbage = join(w.root, 'garbage.txt');
    writeFileSync(garbage, 'hello');
    const badXml = join(w.root, 'bad.xml');
    writeFileSync(badXml, '<annotations><track id="0" label="person"><skeleton frame="1"');
    const wrongSize = join(w.root, 'wrong.xml');
    writeFileSync(wrongSize, cvatInput(300));
    const folder = join(w.root, 'a-folder.xml');
    mkdirSync(folder);
    const cases: [string[], string][] = [
      [['import-labels', clipId('cfr60.mp4'), garbage], 'MALFORMED_FILE'],
      [['import-labels', clipId('cfr60.mp4'), badXml], 'MALFORMED_FILE'],
      [['import-labels', 'no-such-clip', wrongSize], 'CLIP_NOT_FOUND'],
      [['import-labels', clipId('cfr60.mp4'), wrongSize], 'FRAME_COUNT_MISMATCH'],
      [['import-labels', clipId('cfr60.mp4'), folder], 'NOT_A_FILE'],
      [['import-labels', clipId('cfr60.mp4'), '/dev/zero'], 'NOT_A_FILE'],
      [
        ['import-labels', clipId('cfr60.mp4'), join(w.root, '..', 'missing.json')],
        'FILE_NOT_FOUND',
      ],
      [['export', '--batch', 'nope', '--out', join(w.root, 'never')], 'BATCH_NOT_FOUND'],
      [['export', '--clip', 'nope', '--out', join(w.root, 'never')], 'CLIP_NOT_FOUND'],
    ];
    for (const [args, code] of cases) {
      const result = await framewise([...args, '--db', w.databasePath]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(JSON.parse(result.stdout), args.join(' ')).toMatchObject({ error: { code } });
    }
    const usage = await framewise(['export', '--out', join(w.root, 'x'), '--db', w.databasePath]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/one of --batch ID, --clip ID/);
  });
});
