import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExportProgress, ExportReport } from '../../../src/shared/api/exportSchemas';
import { ExportRequest } from '../../../src/shared/api/exportSchemas';
import { poseAt, type Track } from '../../../src/shared/domain/labels';
import { parseXml, type XmlElement } from '../../../src/shared/formats';
import { probeVideo } from '../../../src/node/media/probeVideo';
import { ffmpegInUse } from '../../../src/node/media/ffmpeg';
import { requireFixtures } from '../fixturePaths';
import { buildWorld, labelClip, sampleTracks, VALID_CONSENT, type World } from './exportWorld';

let worlds: World[] = [];
afterEach(() => {
  for (const world of worlds) world.remove();
  worlds = [];
});
beforeAll(requireFixtures);

async function world(...args: Parameters<typeof buildWorld>): Promise<World> {
  const built = await buildWorld(...args);
  worlds.push(built);
  return built;
}

function request(destination: string, extra: Partial<ExportRequest> = {}): ExportRequest {
  return ExportRequest.parse({
    formats: ['coco', 'cvat', 'epic', 'hands', 'provenance'],
    destination,
    ...extra,
  });
}

function json(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const round2 = (v: number) => Math.round(v * 100) / 100;

type CocoFile = {
  categories: { id: number; keypoints: string[]; skeleton: [number, number][] }[];
  images: { id: number; video_id: string; frame_index: number; timestamp: number }[];
  annotations: {
    image_id: number;
    category_id: number;
    keypoints: number[];
    num_keypoints: number;
    track_name: string;
    track_uid: string;
    lefthand_kpts?: number[];
    lefthand_valid?: boolean;
  }[];
};

describe('export service', () => {
  it('exports exactly the clips with valid consent and lists the rest with reasons', async () => {
    const w = await world([
      { name: 'valid', files: ['cfr30.mp4', 'vfr.mp4', 'ntsc2997.mp4'], consent: VALID_CONSENT },
      {
        name: 'expired',
        files: ['cfr60.mp4'],
        consent: { ...VALID_CONSENT, id: 'c-exp', expiresAt: '2021-01-01' },
      },
      {
        name: 'withdrawn',
        files: ['rotated.mov'],
        consent: { ...VALID_CONSENT, id: 'c-wd', withdrawn: true },
      },
      { name: 'noconsent', files: ['clip.webm'], consent: 'none' },
      { name: 'nomanifest', files: ['hevc.mp4'], consent: 'no-manifest' },
    ]);
    const id = (key: string) => w.clips.get(key)?.clipId ?? '';
    // Clips are distinct files (equal bytes would be one clip). Every clip is labeled and accepted; consent alone must keep the invalid ones out.
    for (const key of w.clips.keys()) {
      // A withdrawn clip cannot be labeled at all (CLIP_LOCKED); export must still list it.
      if (key === 'withdrawn/rotated.mov') continue;
      if (key !== 'valid/ntsc2997.mp4') labelClip(w, id(key));
    }
    labelClip(w, id('valid/ntsc2997.mp4'), 'submitted');

    const out = join(w.root, 'out', 'export-1');
    const events: ExportProgress[] = [];
    const report = await w.services.exports.run(request(out), (p) => events.push(p));

    expect(report.exported.map((c) => c.clipId).sort()).toEqual(
      [id('valid/cfr30.mp4'), id('valid/vfr.mp4')].sort(),
    );
    const reasons = Object.fromEntries(report.excluded.map((c) => [c.clipId, c.reason]));
    expect(reasons).toEqual({
      [id('valid/ntsc2997.mp4')]: 'no_labels_in_status',
      [id('expired/cfr60.mp4')]: 'consent_expired',
      [id('withdrawn/rotated.mov')]: 'consent_withdrawn',
      [id('noconsent/clip.webm')]: 'consent_missing',
      [id('nomanifest/hevc.mp4')]: 'consent_missing',
    });
    for (const excluded of report.excluded) expect(excluded.message.length).toBeGreaterThan(10);

    // The report on disk is the one returned, and no excluded clip appears in any file.
    expect(json(join(out, 'export_report.json')) as ExportReport).toEqual(report);
    for (const file of report.files.filter((f) => f !== 'export_report.json')) {
      const text = readFileSync(join(out, file), 'utf8');
      for (const excluded of report.excluded) {
        expect(text).not.toContain(excluded.clipId);
        const sha256 = w.services.store.media.getClip(excluded.clipId)?.sha256;
        if (sha256) expect(text).not.toContain(sha256);
      }
    }
    // Consent held at export time goes into provenance, one line per exported clip.
    const provenance = readFileSync(join(out, 'provenance.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(provenance).toHaveLength(2);
    expect(provenance[0]).toMatchObject({
      contributor_pseudonym: 'contrib_valid',
      consent: { id: 'consent-ok', scope: ['training', 'research'] },
      annotators: ['annotator_a'],
      reviewers: ['reviewer_b'],
      review_status: 'accepted',
    });
    // The ffmpeg that runs on contributors' files is named, so a dataset can be traced to it.
    expect(provenance[0]?.ffmpeg_version).toBe((await ffmpegInUse()).version);
    expect(provenance[0]?.ffmpeg_version).toMatch(/^\d+\.\d+/);

    // With "submitted and later", the submitted clip comes in too; consent still rules.
    const out2 = join(w.root, 'out', 'export-2');
    const report2 = await w.services.exports.run(request(out2, { status: 'submitted' }));
    expect(report2.exported.map((c) => c.clipId)).toContain(id('valid/ntsc2997.mp4'));
    expect(report2.exported).toHaveLength(3);

    // Progress: counts and an ETA along the way, the report at the end.
    expect(events.at(-1)).toMatchObject({ phase: 'done', clipsExported: 2, clipsExcluded: 5 });
    expect(events.at(-1)?.done).toBe(events.at(-1)?.total);
    expect(events.some((e) => e.phase === 'writing')).toBe(true);
  });

  it('writes checksums.sha256 over every file, in the form sha256sum -c reads', async () => {
    const w = await world([{ name: 'b', files: ['cfr30.mp4'], consent: VALID_CONSENT }]);
    labelClip(w, w.clips.get('b/cfr30.mp4')?.clipId ?? '');
    const out = join(w.root, 'out');
    const report = await w.services.exports.run(request(out));
    const lines = readFileSync(join(out, 'checksums.sha256'), 'utf8').trim().split('\n');
    const listed = new Map(lines.map((l) => [l.slice(66), l.slice(0, 64)]));
    const onDisk = (dir: string, prefix = ''): string[] =>
      readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? onDisk(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
      );
    const files = onDisk(out).filter((f) => f !== 'checksums.sha256');
    expect([...listed.keys()].sort()).toEqual(files.sort());
    expect(report.files.sort()).toEqual(files.sort());
    for (const [file, hash] of listed) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(out, file)))
          .digest('hex'),
      ).toBe(hash);
    }
  });

  it('writes interpolated frames equal to the domain poseAt in COCO, CVAT and hand-object', async () => {
    const w = await world([{ name: 'b', files: ['vfr.mp4'], consent: VALID_CONSENT }]);
    const clipId = w.clips.get('b/vfr.mp4')?.clipId ?? '';
    labelClip(w, clipId);
    const out = join(w.root, 'out');
    await w.services.exports.run(request(out));
    const tracks = sampleTracks();
    const [person, hand] = tracks as [Track, Track];
    const frameTimes = w.services.store.media.getFrameTable(clipId)?.frameTimes ?? [];
    const sha256 = w.services.store.media.getClip(clipId)?.sha256 ?? '';

    // COCO (FORMATS.md): 1-based skeleton, num_keypoints = count of v > 0, x = y = 0 where v = 0,
    // timestamps from the frame table, interpolated points (not the previous keyframe's).
    const coco = json(join(out, 'coco_keypoints.json')) as CocoFile;
    for (const category of coco.categories) {
      for (const [a, b] of category.skeleton) {
        expect(Math.min(a, b)).toBeGreaterThanOrEqual(1);
        expect(Math.max(a, b)).toBeLessThanOrEqual(category.keypoints.length);
      }
    }
    const images = new Map(coco.images.map((i) => [i.id, i]));
    let checked = 0;
    for (const annotation of coco.annotations) {
      const k = annotation.keypoints;
      let visible = 0;
      for (let i = 0; i < k.length; i += 3) {
        if ((k[i + 2] as number) > 0) visible += 1;
        else expect([k[i], k[i + 1]]).toEqual([0, 0]);
      }
      expect(annotation.num_keypoints).toBe(visible);
      const image = images.get(annotation.image_id);
      if (!image) throw new Error('annotation without image');
      expect(image.video_id).toBe(sha256);
      expect(image.timestamp).toBeCloseTo(frameTimes[image.frame_index] as number, 6);
      if (annotation.track_uid !== person.id) continue;
      expect(annotation.track_name).toBe(person.label);
      const pose = poseAt(person, image.frame_index);
      pose?.points.forEach((p, i) => {
        const v =
          p === null || p.visibility === 'unlabeled' ? 0 : p.visibility === 'occluded' ? 1 : 2;
        expect(k.slice(i * 3, i * 3 + 3)).toEqual(
          v === 0 ? [0, 0, 0] : [round2(p?.x ?? 0), round2(p?.y ?? 0), v],
        );
      });
      // One person in the clip: its left hand rides on it as COCO-WholeBody fields.
      const handPose = poseAt(hand, image.frame_index);
      if (handPose) {
        expect(annotation.lefthand_valid).toBe(true);
        expect(annotation.lefthand_kpts?.slice(0, 2)).toEqual([
          round2(handPose.points[0]?.x ?? NaN),
          round2(handPose.points[0]?.y ?? NaN),
        ]);
      }
      checked += 1;
    }
    expect(checked).toBe(21); // frames 0..20, 18 of them interpolated

    // CVAT: every frame of the span, interpolated ones keyframe="0" with poseAt's points.
    const xml = parseXml(readFileSync(join(out, 'cvat', `${sha256}.xml`), 'utf8'));
    const track = xml.children.find(
      (c: XmlElement) => c.name === 'track' && c.attributes.label === 'person',
    );
    const shapes = (track?.children ?? []).filter((s) => s.attributes.outside !== '1');
    expect(shapes).toHaveLength(21);
    for (const shape of shapes) {
      const frame = Number(shape.attributes.frame);
      expect(shape.attributes.keyframe).toBe([0, 10, 20].includes(frame) ? '1' : '0');
      const pose = poseAt(person, frame);
      const nose = shape.children.find((p) => p.attributes.label === 'nose');
      expect(nose?.attributes.points).toBe(
        `${round2(pose?.points[0]?.x ?? NaN).toFixed(2)},${round2(pose?.points[0]?.y ?? NaN).toFixed(2)}`,
      );
    }

    // Hand-object: the hand box at the contact's first frame is the interpolated hand's box.
    const handObject = json(join(out, 'hand_object.json')) as {
      videos: {
        hands: { contacts: { start_frame: number; hand_box: number[]; contactstate: number }[] }[];
      }[];
    };
    const contact = handObject.videos[0]?.hands[0]?.contacts[0];
    expect(contact).toMatchObject({ start_frame: 8, contactstate: 3 });
    const handAt8 = (poseAt(hand, 8)?.points ?? []).map((p) => p ?? { x: NaN, y: NaN });
    const xs = handAt8.map((p) => round2(p.x));
    const ys = handAt8.map((p) => round2(p.y));
    expect(contact?.hand_box).toEqual([
      Math.min(...xs),
      Math.min(...ys),
      round2(Math.max(...xs) - Math.min(...xs)),
      round2(Math.max(...ys) - Math.min(...ys)),
    ]);
    expect(poseAt(hand, 8)?.isKeyframe).toBe(false);

    // EPIC: frames and timestamps from the frame table; VFR clips get their frame times.
    const actions = readFileSync(join(out, 'actions.csv'), 'utf8').trim().split('\n');
    expect(actions[1]).toContain(`${sha256},`);
    expect(actions[1]).toContain(',2,18,');
    expect(existsSync(join(out, 'frame_times', `${sha256}.csv`))).toBe(true);
    expect(readFileSync(join(out, 'verb_classes.csv'), 'utf8')).toContain('0,take,1,retrieve');
  });

  it('a cancelled export leaves neither the destination nor a temporary folder', async () => {
    const w = await world([{ name: 'b', files: ['cfr30.mp4', 'vfr.mp4'], consent: VALID_CONSENT }]);
    for (const { clipId } of w.clips.values()) labelClip(w, clipId);
    const out = join(w.root, 'out', 'cancelled');
    const events: ExportProgress[] = [];
    await expect(
      w.services.exports.run(request(out, { includeVideos: true }), (p) => {
        events.push(p);
        if (p.phase === 'videos') w.services.exports.cancel(p.exportId);
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out))).toEqual([]);
    expect(events.at(-1)?.phase).toBe('cancelled');
  });

  it('includes clean video copies with an unchanged frame table', async () => {
    const w = await world([{ name: 'b', files: ['rotated.mov'], consent: VALID_CONSENT }]);
    const clipId = w.clips.get('b/rotated.mov')?.clipId ?? '';
    labelClip(w, clipId);
    const out = join(w.root, 'out');
    const report = await w.services.exports.run(
      request(out, { includeVideos: true, formats: ['provenance'] }),
    );
    const sha256 = w.services.store.media.getClip(clipId)?.sha256 ?? '';
    expect(report.exported[0]?.video).toBe(`videos/${sha256}.mov`);
    const copy = await probeVideo(join(out, `videos/${sha256}.mov`));
    expect(copy.flagged).toEqual({ location: null, make: null, model: null, creationTime: null });
    expect(copy.frameTimes).toEqual(w.services.store.media.getFrameTable(clipId)?.frameTimes);
    expect(readFileSync(join(out, 'checksums.sha256'), 'utf8')).toContain(`videos/${sha256}.mov`);
  });

  it('refuses a destination that already holds files, and unknown batches', async () => {
    const w = await world([{ name: 'b', files: ['cfr30.mp4'], consent: VALID_CONSENT }]);
    labelClip(w, w.clips.get('b/cfr30.mp4')?.clipId ?? '');
    const out = join(w.root, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'old.json'), '{}');
    const events: ExportProgress[] = [];
    await expect(w.services.exports.run(request(out), (p) => events.push(p))).rejects.toMatchObject(
      {
        code: 'DESTINATION_EXISTS',
      },
    );
    // Refused before it began, the export still ends with a final event for waiting clients.
    expect(events.map((e) => [e.phase, e.error?.code])).toEqual([['failed', 'DESTINATION_EXISTS']]);
    await expect(
      w.services.exports.run(request(join(w.root, 'x'), { batchIds: ['nope'] })),
    ).rejects.toMatchObject({ code: 'BATCH_NOT_FOUND' });
    expect(existsSync(join(w.root, 'x'))).toBe(false);
    // An empty folder (as a folder picker makes) is fine.
    const empty = join(w.root, 'empty');
    mkdirSync(empty);
    await w.services.exports.run(request(empty));
    expect(existsSync(join(empty, 'coco_keypoints.json'))).toBe(true);
  });
});
