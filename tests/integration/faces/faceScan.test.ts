import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceScanProgress } from '../../../src/shared/api/faceSchemas';
import { createServices, type Services } from '../../../src/main/services/createServices';
import { faceRecall } from '../../../src/shared/domain/faces/faceTracks';
import { facesOnFrame, makePanClip, markedFaces } from '../../support/faceClips';
import { repoRoot, tempDir } from '../fixturePaths';

/**
 * The scan job end to end: a clip imported as a user would, scanned on the worker thread,
 * cancelled part way, resumed where it stopped, linked into tracks; withdrawal deletes it all.
 */
const marked = markedFaces(repoRoot);
const messi = marked.images.find((image) => image.name === 'messi5');
let dir: { path: string; remove: () => void };
let services: Services;
let clipId = '';
const progress: FaceScanProgress[] = [];

beforeAll(async () => {
  if (!messi) throw new Error('marked-faces.json lost messi5');
  dir = tempDir('facescan');
  const folder = join(dir.path, 'batch');
  mkdirSync(folder);
  makePanClip(messi, marked, join(folder, 'messi.mp4'));
  services = createServices({ databasePath: join(dir.path, 'fw.sqlite'), actor: 'lead' });
  services.events.subscribe((name, payload) => {
    if (name === 'faceScanProgress') progress.push(payload as FaceScanProgress);
  });
  const report = await services.handlers.importBatch({ folder });
  const file = report.files[0];
  if (file?.status !== 'ok') throw new Error('the clip did not import');
  clipId = file.clipId;
}, 120_000);
afterAll(() => {
  services.close();
  dir.remove();
});

describe('face scan job', () => {
  it('stops when cancelled, keeping the frames it finished', async () => {
    const { jobId } = services.faces.start(clipId);
    await new Promise<void>((resolve) => {
      const stop = services.events.subscribe((name, payload) => {
        const p = payload as FaceScanProgress;
        if (name === 'faceScanProgress' && p.jobId === jobId && p.done >= 2) {
          stop();
          services.faces.cancel(jobId);
          resolve();
        }
      });
    });
    await services.faces.whenFinished(jobId);
    expect(progress.at(-1)).toMatchObject({ jobId, phase: 'cancelled' });
    const scan = services.store.faces.scanOf(clipId);
    expect(scan?.status).toBe('cancelled');
    expect(scan?.framesDone).toBeGreaterThanOrEqual(2);
    expect(scan?.framesDone).toBeLessThan(marked.framesPerClip);
  }, 600_000);

  it('resumes after the frames already scanned and links the face into one track', async () => {
    const before = services.store.faces.scanOf(clipId)?.framesDone ?? 0;
    const { jobId, resumedFrames } = services.faces.start(clipId);
    expect(resumedFrames).toBe(before);
    await services.faces.whenFinished(jobId);
    const events = progress.filter((p) => p.jobId === jobId);
    expect(events.at(-1)).toMatchObject({ phase: 'done', done: marked.framesPerClip });
    // Only the frames left were run: one 'running' event per frame, after the 'loaded' one.
    expect(events.filter((p) => p.phase === 'running').length).toBe(
      marked.framesPerClip - before + 1,
    );
    expect(services.store.faces.scanOf(clipId)).toMatchObject({
      status: 'scanned',
      framesDone: marked.framesPerClip,
      reviewStatus: 'unreviewed',
      backend: 'wasm',
    });
    const tracks = services.store.faces.tracksOf(clipId);
    const full = tracks.filter((t) => t.boxes.length === marked.framesPerClip);
    expect(full).toHaveLength(1);
    for (const box of full[0]?.boxes ?? []) {
      expect(
        faceRecall(facesOnFrame(messi as NonNullable<typeof messi>, box.frame), [box]).found,
      ).toBe(1);
    }
  }, 600_000);

  it('lets a reviewer add a missed face, take out a false one and mark the clip reviewed', async () => {
    const { handlers } = services;
    const before = await handlers.getFaceRegions({ clipId });
    const detected = before.tracks[0];
    expect(detected?.source).toBe('detector');
    await handlers.putFaceTrack({
      clipId,
      track: {
        id: 'person-drawn-1',
        boxes: [{ frame: 2, x: 10, y: 10, width: 30, height: 30, score: 1 }],
      },
    });
    expect(await handlers.removeFaceTrack({ clipId, trackId: detected?.id ?? '' })).toEqual({
      removed: true,
    });
    const { scan } = await handlers.setBlurReview({ clipId, status: 'reviewed' });
    expect(scan).toMatchObject({ reviewStatus: 'reviewed', reviewedBy: 'lead' });
    const after = await handlers.getFaceRegions({ clipId });
    expect(after.tracks.map((t) => [t.id, t.source, t.removed])).toEqual(
      expect.arrayContaining([
        [detected?.id, 'detector', true],
        ['person-drawn-1', 'person', false],
      ]),
    );
    // What a blurred export uses: the tracks nobody removed.
    expect(services.store.faces.tracksOf(clipId).map((t) => t.id)).toContain('person-drawn-1');
    expect(services.store.faces.tracksOf(clipId).map((t) => t.id)).not.toContain(detected?.id);

    // A review covers the regions it saw: moving a box afterwards asks for another one.
    await handlers.putFaceTrack({
      clipId,
      track: {
        id: 'person-drawn-1',
        boxes: [{ frame: 2, x: 14, y: 10, width: 30, height: 30, score: 1 }],
      },
    });
    expect((await handlers.getFaceRegions({ clipId })).scan).toMatchObject({
      reviewStatus: 'unreviewed',
      reviewedBy: null,
    });
    await handlers.setBlurReview({ clipId, status: 'reviewed' });
  });

  it('loses every face row when the contributor withdraws consent', async () => {
    const sha = services.store.media.getClip(clipId)?.sha256;
    expect(sha).toBeTruthy();
    await services.governance.withdrawConsent({
      clipRef: sha ?? '',
      source: 'server',
      reason: 'asked',
    });
    expect(services.store.faces.scanOf(clipId)).toBeNull();
    expect(services.store.faces.tracksOf(clipId, { includeRemoved: true })).toEqual([]);
  });
});
