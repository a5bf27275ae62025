import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { readFrames } from '../../../src/main/services/faces/rawFrames';
import { defaultProjectSchema } from '../../../src/main/services/labels/defaultProject';
import { probeVideo } from '../../../src/node/media/probeVideo';
import { ExportRequest } from '../../../src/shared/api/exportSchemas';
import { ProvenanceRecord } from '../../../src/shared/formats/provenanceJsonl';
import { faceRecall, type FaceBox } from '../../../src/shared/domain/faces/faceTracks';
import { labelClip, sampleTracks, VALID_CONSENT, type World } from '../export/exportWorld';
import type { Track } from '../../../src/shared/domain/labels';
import { facesOnFrame, makePanClip, markedFaces, type MarkedImage } from '../../support/faceClips';
import { repoRoot, tempDir } from '../fixturePaths';

/**
 * `--blur faces` end to end, as a lead would run it: a clip imported with consent, labeled and
 * accepted, its faces scanned on this machine, exported with blurred video. The project requires
 * reviewed regions, so the clip is first left out (`blur_not_reviewed`) and exported once a
 * person marks it reviewed; a labels-only export never waits for that. The camera wearer's hand,
 * labeled over the face for a few frames, is never blurred there.
 */
const FRAMES = 24;
const marked = markedFaces(repoRoot);
const messi = marked.images.find((i) => i.name === 'messi5') as MarkedImage;
// A still window (no pan) long enough for the sample labels' keyframes (0, 10, 20).
const still: MarkedImage = { ...messi, clip: { ...messi.clip, dx: 0, dy: 0 } };
/** The frames on which the camera wearer's hand covers the face. */
const WEARER_HAND = { first: 15, last: 20 };
let world: World;
let clipId = '';
let source = '';

beforeAll(async () => {
  const dir = tempDir('blurexport');
  const folder = join(dir.path, 'batch');
  mkdirSync(folder);
  source = join(folder, 'messi.mp4');
  makePanClip(still, marked, source, FRAMES);
  writeFileSync(
    join(folder, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: 'faces',
      contributor: { pseudonym: 'contrib_faces', region: 'PT' },
      consent: VALID_CONSENT,
      clips: [{ path: 'messi.mp4' }],
    }),
  );
  const databasePath = join(dir.path, 'fw.sqlite');
  const services = createServices({ databasePath, actor: 'lead_l' });
  world = {
    services,
    root: dir.path,
    databasePath,
    clips: new Map(),
    remove: () => {
      services.close();
      dir.remove();
    },
  };
  // The clip's project requires reviewed face regions.
  services.store.labels.ensureProject(
    {
      id: 'blur-reviewed',
      schema: { ...defaultProjectSchema(), name: 'Blur reviewed', blurPolicy: 'require-reviewed' },
    },
    'lead_l',
  );
  const report = await services.handlers.importBatch({ folder });
  const file = report.files[0];
  if (file?.status !== 'ok') throw new Error('the clip did not import');
  clipId = file.clipId;
  await services.checksums.whenIdle();
  // The left hand is the camera wearer's, held over the face on frames 15–20: never blurred.
  const overFace = (frame: number) => ({
    frame,
    points: Array.from({ length: 21 }, (_, i) => ({
      x: 200 + (i % 5) * 22,
      y: 50 + Math.floor(i / 5) * 22,
      visibility: 'visible' as const,
      source: 'manual' as const,
    })),
  });
  const tracks = sampleTracks().map((track) =>
    track.kind === 'left_hand'
      ? {
          ...track,
          link: { kind: 'camera_wearer' as const },
          keyframes: [
            track.keyframes[0] as Track['keyframes'][number],
            { ...(track.keyframes[0] as Track['keyframes'][number]), frame: 14 },
            overFace(WEARER_HAND.first),
            overFace(WEARER_HAND.last),
          ],
        }
      : track,
  );
  labelClip(world, clipId, 'accepted', tracks, 'blur-reviewed');
  const { jobId } = services.faces.start(clipId);
  await services.faces.whenFinished(jobId);
}, 900_000);
afterAll(() => world.remove());

function request(destination: string, extra: Partial<ExportRequest> = {}): ExportRequest {
  return ExportRequest.parse({ formats: ['provenance'], destination, ...extra });
}

describe('export with faces blurred', () => {
  it('leaves an unreviewed clip out of video exports, not of labels-only ones', async () => {
    expect(world.services.store.labels.getProject('blur-reviewed')?.schema.blurPolicy).toBe(
      'require-reviewed',
    );
    await expect(
      world.services.exports.run(
        request(join(world.root, 'out-unreviewed'), { includeVideos: true, blur: 'faces' }),
      ),
    ).rejects.toMatchObject({
      code: 'NOTHING_TO_EXPORT',
      message: expect.stringContaining('blur_not_reviewed') as unknown,
    });
    const labelsOnly = await world.services.exports.run(request(join(world.root, 'out-labels')));
    expect(labelsOnly.exported).toHaveLength(1);
  });

  it('writes a blurred copy with every frame time, its regions and its provenance once reviewed', async () => {
    expect(world.services.store.faces.scanOf(clipId)?.status).toBe('scanned');
    world.services.store.faces.setReviewStatus(
      clipId,
      'reviewed',
      'reviewer_b',
      '2026-12-06T00:00:00.000Z',
    );
    const out = join(world.root, 'out-blurred');
    const report = await world.services.exports.run(
      request(out, { includeVideos: true, blur: 'faces' }),
    );
    expect(report.blur).toBe('faces');
    const video = report.exported[0]?.video ?? '';
    expect(video).toMatch(/^videos\/[0-9a-f]{64}\.mp4$/u);

    const copy = await probeVideo(join(out, video));
    expect(copy.frameTimes).toEqual(world.services.store.media.getFrameTable(clipId)?.frameTimes);
    expect(copy.flagged).toEqual({ location: null, make: null, model: null, creationTime: null });

    const [line] = readFileSync(join(out, 'provenance.jsonl'), 'utf8').trim().split('\n');
    const record = ProvenanceRecord.parse(JSON.parse(line ?? '{}'));
    expect(record.video_blur).toMatchObject({
      blurred: true,
      model: 'ssd-mobilenetv1',
      model_version: '@vladmandic/face-api@1.7.15',
      review_status: 'reviewed',
      reviewed_by: 'reviewer_b',
      regions_file: 'blur_regions.json',
    });
    const handFrames = WEARER_HAND.last - WEARER_HAND.first + 1;
    expect(record.video_blur?.regions_blurred).toBeGreaterThanOrEqual(FRAMES - handFrames);

    const regions = JSON.parse(readFileSync(join(out, 'blur_regions.json'), 'utf8')) as {
      videos: {
        file_name: string;
        tracks: { boxes: (FaceBox & { frame: number })[] }[];
        wearer_hands: { rule: string; exclusions: Record<string, unknown>[] };
      }[];
    };
    expect(regions.videos[0]?.file_name).toBe(video);
    // The face under the wearer's hand was given up on exactly those frames, and says so.
    const exclusions = regions.videos[0]?.wearer_hands.exclusions ?? [];
    expect(exclusions.length).toBeGreaterThan(0);
    for (const exclusion of exclusions) {
      expect(exclusion).toMatchObject({
        hand_track_id: 'hand-left-1',
        action: 'excluded',
        first_frame: WEARER_HAND.first,
        last_frame: WEARER_HAND.last,
      });
    }
    const boxes = regions.videos[0]?.tracks.flatMap((t) => t.boxes) ?? [];
    // The marked face is among the regions on every frame.
    for (let frame = 0; frame < FRAMES; frame += 1) {
      const onFrame = boxes.filter((b) => b.frame === frame);
      expect(faceRecall(facesOnFrame(still, frame), onFrame).found).toBe(1);
    }
    // And blurred in the picture: the face's detail is gone, frame by frame, but where the
    // wearer's hand is (the test's hand is only keypoints over the face: its pixels are the face's).
    const [face] = facesOnFrame(still, 0);
    const { width, height } = still.clip;
    const detailOf = async (file: string) => {
      const values: number[] = [];
      for await (const f of readFrames({ input: file, width, height, pixelFormat: 'yuv420p' })) {
        let sum = 0;
        let n = 0;
        for (let y = face?.y ?? 0; y < (face?.y ?? 0) + (face?.height ?? 0); y += 1) {
          for (let x = face?.x ?? 0; x < (face?.x ?? 0) + (face?.width ?? 0) - 1; x += 1) {
            sum += ((f[y * width + x] ?? 0) - (f[y * width + x + 1] ?? 0)) ** 2;
            n += 1;
          }
        }
        values.push(sum / n);
      }
      return values;
    };
    const before = await detailOf(source);
    const after = await detailOf(join(out, video));
    after.forEach((value, frame) => {
      const underHand = frame >= WEARER_HAND.first && frame <= WEARER_HAND.last;
      if (underHand) expect(value).toBeGreaterThan((before[frame] ?? 0) * 0.6);
      else expect(value).toBeLessThan((before[frame] ?? 0) * 0.25);
    });
  }, 600_000);
});
