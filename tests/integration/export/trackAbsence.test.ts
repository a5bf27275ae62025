import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLabels } from '../../../src/main/services/export/importLabels';
import { DEFAULT_PROJECT_ID } from '../../../src/main/services/labels/defaultProject';
import { ExportRequest } from '../../../src/shared/api/exportSchemas';
import { COCO_BODY_KEYPOINTS, COCO_BODY_SKELETON } from '../../../src/shared/domain/labels';
import { parseXml } from '../../../src/shared/formats';
import { requireFixtures } from '../fixturePaths';
import { buildWorld, VALID_CONSENT, type World } from './exportWorld';

/**
 * Issue #16: a person who walks out of the picture and comes back. CVAT's meaning of `outside`
 * (a shape holds from its keyframe until the next keyframe or `outside`) must survive import and
 * both exports: in at 10, moving to 30, outside at 41, back at 60, outside again at 70 gives a
 * person on frames 10–40 and 60–69 and on no other frame.
 */

let w: World;
beforeAll(async () => {
  requireFixtures();
  w = await buildWorld([{ name: 'b', files: ['cfr30.mp4'], consent: VALID_CONSENT }], 'absence');
});
afterAll(() => w.remove());

const KEYFRAMES: Record<number, number> = { 10: 40, 30: 80, 60: 200 };
const OUTSIDE = [41, 70];
const range = (first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, i) => first + i);
const EXPECTED_FRAMES = [...range(10, 40), ...range(60, 69)];

/** The nose's x CVAT shows on each frame: interpolated 10→30, held 30–40, held 60–69. */
function cvatNoseX(frame: number): number {
  if (frame <= 30) return 40 + ((frame - 10) / 20) * 40;
  if (frame <= 40) return 80;
  return 200;
}

/** Written as CVAT writes a track (every frame in the picture, keyframe="0" between). */
function cvatFile(): string {
  const shapes: string[] = [];
  const shape = (frame: number, keyframe: 0 | 1, outside: 0 | 1, x: number) => {
    const points = COCO_BODY_KEYPOINTS.map(
      (name, i) =>
        `        <points label="${name}" outside="${outside}" occluded="0" keyframe="${keyframe}" points="${(x + i).toFixed(2)},${(60 + i * 5).toFixed(2)}" z_order="0"></points>`,
    );
    shapes.push(
      `      <skeleton frame="${frame}" keyframe="${keyframe}" outside="${outside}" occluded="0" z_order="0">\n${points.join('\n')}\n      </skeleton>`,
    );
  };
  for (const frame of range(10, 70)) {
    if (OUTSIDE.includes(frame)) shape(frame, 1, 1, cvatNoseX(frame - 1));
    else if (frame > 41 && frame < 60) continue;
    else shape(frame, frame in KEYFRAMES ? 1 : 0, 0, cvatNoseX(frame));
  }
  const sublabels = COCO_BODY_KEYPOINTS.map(
    (name) =>
      `        <label><name>${name}</name><type>points</type><attributes></attributes><parent>person</parent></label>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <id>7</id><name>walkers</name><size>90</size><mode>interpolation</mode><overlap>0</overlap>
      <labels>
        <label><name>person</name><type>skeleton</type><attributes></attributes>
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

/** Frames a CVAT reader shows the track on, with the nose's x, from keyframes and `outside`. */
function cvatShown(xml: string): Map<number, number> {
  const track = parseXml(xml).children.find((c) => c.name === 'track');
  const keyframes = (track?.children ?? [])
    .filter((s) => s.attributes.keyframe === '1')
    .map((s) => ({
      frame: Number(s.attributes.frame),
      outside: s.attributes.outside === '1',
      x: Number((s.children[0]?.attributes.points ?? '').split(',')[0]),
    }))
    .sort((a, b) => a.frame - b.frame);
  const shown = new Map<number, number>();
  keyframes.forEach((k, i) => {
    if (k.outside) return;
    const next = keyframes[i + 1];
    const end = next ? next.frame - 1 : k.frame;
    for (let frame = k.frame; frame <= end; frame++) {
      // CVAT interpolates towards a next keyframe in the picture, and holds towards `outside`.
      const x =
        next && !next.outside
          ? k.x + ((next.x - k.x) * (frame - k.frame)) / (next.frame - k.frame)
          : k.x;
      shown.set(frame, x);
    }
  });
  return shown;
}

describe('a track that leaves the picture and comes back, through import and export', () => {
  it('is on frames 10–40 and 60–69 only, in COCO and in the re-exported CVAT', async () => {
    const clip = w.clips.get('b/cfr30.mp4');
    if (!clip) throw new Error('cfr30.mp4 was not imported');
    const input = join(w.root, 'walkers.xml');
    writeFileSync(input, cvatFile());
    // The reference: what CVAT itself shows from the file, read with CVAT's rule.
    const original = cvatShown(cvatFile());
    expect([...original.keys()]).toEqual(EXPECTED_FRAMES);

    const { store } = w.services;
    const imported = await importLabels(
      { store, actor: 'annotator_a', projectId: DEFAULT_PROJECT_ID },
      clip.clipId,
      input,
    );
    // Three keyframes in the picture and the two that say the person left it.
    expect(imported.keyframes).toBe(5);
    store.labels.transitionAnnotationSet(imported.setId, 'submitted', 'annotator_a');
    store.labels.transitionAnnotationSet(imported.setId, ['in_review', 'accepted'], 'reviewer_b');

    const out = join(w.root, 'out');
    await w.services.exports.run(
      ExportRequest.parse({ formats: ['coco', 'cvat'], destination: out }),
    );

    const coco = JSON.parse(readFileSync(join(out, 'coco_keypoints.json'), 'utf8')) as {
      images: { id: number; frame_index: number }[];
      annotations: { image_id: number; keypoints: number[] }[];
    };
    const frameOf = new Map(coco.images.map((i) => [i.id, i.frame_index]));
    const cocoFrames = coco.annotations
      .map((a) => frameOf.get(a.image_id) ?? -1)
      .sort((a, b) => a - b);
    expect(cocoFrames).toEqual(EXPECTED_FRAMES);
    for (const annotation of coco.annotations) {
      const frame = frameOf.get(annotation.image_id) ?? -1;
      expect(annotation.keypoints[0], `frame ${frame}`).toBeCloseTo(original.get(frame) ?? NaN, 2);
    }

    const xmlFiles = readdirSync(join(out, 'cvat')).filter((f) => f.endsWith('.xml'));
    expect(xmlFiles).toHaveLength(1);
    const again = readFileSync(join(out, 'cvat', xmlFiles[0] ?? ''), 'utf8');
    const reread = cvatShown(again);
    expect([...reread.keys()]).toEqual(EXPECTED_FRAMES);
    for (const [frame, x] of original)
      expect(reread.get(frame), `frame ${frame}`).toBeCloseTo(x, 2);
    // Every frame written in the picture is one CVAT shows; nothing is written for 41–59.
    const written = parseXml(again)
      .children.find((c) => c.name === 'track')
      ?.children.filter((s) => s.attributes.outside !== '1')
      .map((s) => Number(s.attributes.frame));
    expect(written).toEqual(EXPECTED_FRAMES);
  });
});
