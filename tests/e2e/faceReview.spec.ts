import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { copyWithBlurredFaces } from '../../src/main/services/faces/blurCopy';
import { blurTimescaleOf } from '../../src/main/services/faces/blurTimescale';
import { probeVideo } from '../../src/node/media/probeVideo';
import { DEFAULT_BLUR } from '../../src/shared/domain/faces/blurFrame';
import { makePanClip, markedFaces, type MarkedImage } from '../support/faceClips';
import { dragVideoPixels, goToFrame } from './clipScreen';
import { expect, openApp, repoRoot, test, type LoopbackHost } from './fixtures';

/**
 * Issue #19, point 2, as a reviewer does it: a clip panned over a photograph with a face, the
 * scan run from the Faces panel, the found face drawn on the overlay, a false region removed, a
 * missed face drawn and moved on a later frame (a keyframe, interpolated between), the clip marked
 * reviewed (and un-reviewed by an edit), then a blurred export from the Export screen whose
 * blur_regions.json holds exactly the edited regions. And an odd-sized clip's blurred copy (4:4:4)
 * decodes in Chromium.
 */

const FRAMES = 24;
type Json = Record<string, unknown>;
type StoredTrack = {
  id: string;
  source: 'detector' | 'person';
  removed: boolean;
  boxes: { frame: number; x: number; y: number; width: number; height: number }[];
};

async function call<T>(page: Page, host: LoopbackHost, name: string, data: object): Promise<T> {
  const response = await page.request.post(`${host.origin}/api/${name}`, { data, timeout: 90_000 });
  const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${name}: ${body.error?.message ?? 'failed'}`);
  return body.value;
}

let work: string;
const marked = markedFaces(repoRoot);
const messi = marked.images.find((i) => i.name === 'messi5') as MarkedImage;
// A slower pan than the recall test's, so 24 frames fit in the photograph.
const image: MarkedImage = { ...messi, clip: { ...messi.clip, dx: 2, dy: 0 } };
const VIDEO = { width: image.clip.width, height: image.clip.height };

test.beforeAll(() => {
  if (!existsSync(image.path))
    throw new Error(`${image.path} is missing (apt install opencv-doc).`);
  work = mkdtempSync(join(tmpdir(), 'framewise-e2e-faces-'));
});
test.afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The little of the DOM the check below reads (the e2e config has no DOM types). */
type Rect = { width: number; height: number };
type OverlayCanvas = {
  width: number;
  getBoundingClientRect(): Rect;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  } | null;
};
type OverlayRoot = {
  getBoundingClientRect(): Rect;
  querySelectorAll(selector: 'canvas'): ArrayLike<OverlayCanvas>;
};

/** Is the face colour (#ff00c8) drawn on the overlay around video pixel `at`? */
async function faceColourNear(page: Page, at: { x: number; y: number }): Promise<boolean> {
  const overlay = page.getByTestId('label-overlay');
  return overlay.evaluate(
    (element, { at, video }) => {
      const root = element as unknown as OverlayRoot;
      const rect = root.getBoundingClientRect();
      const scale = Math.min(rect.width / video.width, rect.height / video.height);
      const px = (rect.width - video.width * scale) / 2 + at.x * scale;
      const py = (rect.height - video.height * scale) / 2 + at.y * scale;
      for (const canvas of Array.from(root.querySelectorAll('canvas'))) {
        const ratio = canvas.width / canvas.getBoundingClientRect().width;
        const ctx = canvas.getContext('2d');
        if (!ctx) continue;
        const { data } = ctx.getImageData(
          Math.round((px - 6) * ratio),
          Math.round((py - 6) * ratio),
          Math.round(12 * ratio),
          Math.round(12 * ratio),
        );
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
          if (r > 200 && g < 80 && b > 150) return true;
        }
      }
      return false;
    },
    { at, video: VIDEO },
  );
}

test('a reviewer scans a clip for faces, corrects the regions, marks them reviewed and exports them blurred', async ({
  page,
  host,
}, testInfo) => {
  test.setTimeout(420_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const folder = join(work, 'faces-01');
  mkdirSync(folder);
  makePanClip(image, { ...marked, fps: 24 }, join(folder, 'messi.mp4'), FRAMES);
  writeFileSync(
    join(folder, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: 'faces-01',
      contributor: { pseudonym: 'contrib_faces' },
      consent: { id: 'consent-faces', scope: ['training'], grantedAt: '2020-01-01' },
      clips: [{ path: 'messi.mp4' }],
    }),
  );
  await openApp(page, host);
  const report = await call<{ batch: { id: string } }>(page, host, 'importBatch', { folder });
  const [clip] = await call<{ id: string }[]>(page, host, 'listClips', {
    batchId: report.batch.id,
  });
  if (!clip) throw new Error('messi.mp4 did not import');
  // A complete set to export: one person, keyed at both ends.
  const set = await call<{ id: string }>(page, host, 'openAnnotationSet', { clipId: clip.id });
  const points = Array.from({ length: 17 }, (_, i) => ({
    x: 40 + i * 10,
    y: 50 + i * 5,
    visibility: 'visible',
    source: 'manual',
  }));
  await call(page, host, 'applyLabelEdit', {
    setId: set.id,
    expectedSeq: 0,
    command: {
      type: 'addTrack',
      track: {
        id: 'player',
        kind: 'person',
        templateId: 'coco17-body',
        label: 'Player',
        color: '#e6194b',
        keyframes: [
          { frame: 0, points },
          { frame: FRAMES - 1, points },
        ],
      },
    },
  });

  await page.reload();
  await page
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) })
    .getByRole('row')
    .filter({ hasText: 'contrib_faces' })
    .getByRole('button')
    .first()
    .click();
  await page.getByRole('button', { name: 'messi.mp4', exact: true }).click();
  await expect(page.getByLabel('Current frame')).toHaveText('0');

  const panel = page.getByRole('region', { name: 'Faces to blur' });
  const status = panel.getByLabel('Blur review status');
  await expect(status).toHaveText('Not scanned');

  // The scan, from the panel: progress shows, then the found tracks.
  await panel.getByRole('button', { name: 'Scan for faces' }).click();
  await expect(panel.getByRole('button', { name: 'Cancel scan' })).toBeVisible();
  await expect(status).toHaveText('Scanned, not reviewed', { timeout: 300_000 });
  const faceList = panel.getByRole('list', { name: 'Face tracks' });
  await expect(faceList.getByRole('listitem').first()).toBeVisible();

  const regions = async () =>
    (await call<{ tracks: StoredTrack[] }>(page, host, 'getFaceRegions', { clipId: clip.id }))
      .tracks;
  const found = (await regions()).filter((t) => t.source === 'detector');
  // The marked face (222, 88 in the photograph) is among them, drawn on the overlay.
  const [mx, my, mw, mh] = image.faces[0] as [number, number, number, number];
  const face = { x: mx - image.clip.x0, y: my - image.clip.y0, width: mw, height: mh };
  const messiTrack = found.find((t) => {
    const b = t.boxes.find((box) => box.frame === 0);
    return b !== undefined && Math.abs(b.x + b.width / 2 - (face.x + face.width / 2)) < 15;
  });
  expect(messiTrack, 'the marked face is found on frame 0').toBeDefined();
  const box0 = messiTrack?.boxes.find((b) => b.frame === 0) as StoredTrack['boxes'][number];
  expect(await faceColourNear(page, { x: box0.x, y: box0.y })).toBe(true);

  // A false region (the ball, boxed by hand here: the detector finds only the face on this
  // photograph) taken out from the panel; it is kept as removed, so export leaves it out.
  const overlay = page.getByTestId('label-overlay');
  await panel.getByRole('button', { name: 'Add a missed face' }).click();
  await dragVideoPixels(page, overlay, VIDEO, { x: 300, y: 230 }, { x: 340, y: 270 });
  await expect(faceList.getByRole('listitem')).toHaveCount(found.length + 1);
  const falseTrack = (await regions()).find((t) => t.source === 'person') as StoredTrack;
  await panel.getByRole('button', { name: `Remove ${falseTrack.id}` }).click();
  await expect(faceList.getByRole('listitem')).toHaveCount(found.length);
  expect(await faceColourNear(page, { x: 300, y: 230 })).toBe(false);

  // A missed face, drawn on frame 0 at (40, 200) 40×40, then moved 60 px right on frame 12.
  await panel.getByRole('button', { name: 'Add a missed face' }).click();
  await dragVideoPixels(page, overlay, VIDEO, { x: 40, y: 200 }, { x: 80, y: 240 });
  await expect(faceList.getByRole('button', { name: /Drawn face · frames 0–23/ })).toBeVisible();
  expect(await faceColourNear(page, { x: 40, y: 200 })).toBe(true);
  await goToFrame(page, 12);
  await dragVideoPixels(page, overlay, VIDEO, { x: 60, y: 220 }, { x: 120, y: 220 });
  await expect
    .poll(async () => {
      const drawn = (await regions()).find((t) => t.source === 'person' && !t.removed);
      return drawn?.boxes.map((b) => [b.frame, Math.round(b.x)]);
    })
    .toEqual([
      [0, 40],
      [12, 100],
      [23, 100],
    ]);
  // Between the keyframes the box is interpolated: on frame 6 it is half way.
  await goToFrame(page, 6);
  expect(await faceColourNear(page, { x: 70, y: 200 })).toBe(true);

  // Reviewed; an edit after that asks for another review; reviewed again.
  await panel.getByRole('button', { name: 'Mark reviewed' }).click();
  await expect(status).toHaveText(/^Reviewed by .+ on \d{4}-\d{2}-\d{2}$/);
  await goToFrame(page, 0);
  await panel.getByRole('button', { name: /Drawn face/ }).click();
  await dragVideoPixels(page, overlay, VIDEO, { x: 60, y: 220 }, { x: 70, y: 220 });
  await expect(status).toHaveText('Scanned, not reviewed');
  await expect(panel.getByRole('status')).toContainText('review them again');
  await panel.getByRole('button', { name: 'Mark reviewed' }).click();
  await expect(status).toHaveText(/^Reviewed by /);

  mkdirSync(testInfo.outputDir, { recursive: true });
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1920, height: 1080 },
  ]) {
    await page.setViewportSize(size);
    await goToFrame(page, 12);
    const shot = await page.screenshot();
    writeFileSync(join(testInfo.outputDir, `face-review-${size.width}x${size.height}.png`), shot);
    await testInfo.attach(`face-review-${size.width}x${size.height}`, {
      body: shot,
      contentType: 'image/png',
    });
  }
  const stored = (await regions()).filter((t) => !t.removed);

  // Export with faces blurred, from the Export screen.
  const submitted = await call<{ submitted: boolean }>(page, host, 'submitAnnotationSet', {
    setId: set.id,
  });
  expect(submitted.submitted).toBe(true);
  await page.reload();
  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByRole('checkbox', { name: /faces-01/ }).check();
  await page.getByRole('radio', { name: /Submitted and later/ }).check();
  await page.getByRole('checkbox', { name: /Include the videos/ }).check();
  const blur = page.getByRole('checkbox', { name: /Blur faces/ });
  await blur.check();
  // Each checkbox on a line of its own, the blur one under the videos' one.
  const videosBox = await page.getByText(/Include the videos/).boundingBox();
  const blurBox = await page.getByText(/Blur faces in the videos/).boundingBox();
  expect(blurBox && videosBox && blurBox.y >= videosBox.y + videosBox.height - 1).toBe(true);
  const shot = await page.screenshot();
  writeFileSync(join(testInfo.outputDir, 'export-blur-1920x1080.png'), shot);
  const destination = join(work, 'faces-export');
  await page.getByRole('textbox', { name: /Destination folder/ }).fill(destination);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Export finished: 1 clips exported', {
    timeout: 180_000,
  });

  const regionsFile = JSON.parse(readFileSync(join(destination, 'blur_regions.json'), 'utf8')) as {
    videos: (Json & { tracks: StoredTrack[] })[];
  };
  const [video] = regionsFile.videos;
  expect(video).toMatchObject({ review_status: 'reviewed', width: 480, height: 300 });
  const exported = video?.tracks ?? [];
  expect(exported.map((t) => t.id).sort()).toEqual(stored.map((t) => t.id).sort());
  expect(exported.some((t) => t.id === messiTrack?.id)).toBe(true);
  expect(exported.some((t) => t.id === falseTrack.id)).toBe(false);
  const drawn = exported.find((t) => t.source === 'person');
  expect(drawn?.boxes.map((b) => [b.frame, Math.round(b.x), Math.round(b.y)])).toEqual([
    [0, 50, 200],
    [12, 100, 200],
    [23, 100, 200],
  ]);
});

test('a blurred copy of an odd-sized clip (321×241) plays in Chromium at its own size', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const oddImage: MarkedImage = { ...messi, clip: { ...messi.clip, width: 321, height: 241 } };
  const source = join(work, 'odd.mp4');
  makePanClip(oddImage, marked, source, marked.framesPerClip, 'yuv444p');
  const probe = await probeVideo(source);
  const out = join(work, 'odd-blurred.mp4');
  await copyWithBlurredFaces(source, out, {
    frameTimes: probe.frameTimes,
    width: 321,
    height: 241,
    tracks: [{ id: 'f', boxes: [{ frame: 0, x: 200, y: 60, width: 40, height: 40, score: 1 }] }],
    settings: DEFAULT_BLUR,
    timescale: await blurTimescaleOf(source, probe.container),
  });
  expect((await probeVideo(out)).frameTimes).toEqual(probe.frameTimes);

  const body = readFileSync(out);
  await page.route('http://odd.test/**', (route) =>
    route.request().url().endsWith('.mp4')
      ? route.fulfill({ body, contentType: 'video/mp4' })
      : route.fulfill({ body: '<!doctype html><video muted></video>', contentType: 'text/html' }),
  );
  await page.goto('http://odd.test/');
  const shown = await page.evaluate(async () => {
    type Video = {
      src: string;
      videoWidth: number;
      videoHeight: number;
      currentTime: number;
      onloadeddata: (() => void) | null;
      onerror: (() => void) | null;
      onseeked: (() => void) | null;
    };
    const doc = globalThis as unknown as {
      document: { querySelector(s: 'video'): Video; createElement(s: 'canvas'): Canvas };
    };
    type Canvas = {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        drawImage(v: Video, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const video = doc.document.querySelector('video');
    const loaded = await new Promise<boolean>((resolve) => {
      video.onloadeddata = () => resolve(true);
      video.onerror = () => resolve(false);
      video.src = 'http://odd.test/odd.mp4';
    });
    if (!loaded) return null;
    video.currentTime = 0.5;
    await new Promise<void>((resolve) => (video.onseeked = () => resolve()));
    const canvas = doc.document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(video, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i] ?? 0;
    return { width: video.videoWidth, height: video.videoHeight, mean: sum / (data.length / 4) };
  });
  expect(shown).toMatchObject({ width: 321, height: 241 });
  // A decoded picture, not a black or empty frame.
  expect(shown?.mean ?? 0).toBeGreaterThan(20);
});
