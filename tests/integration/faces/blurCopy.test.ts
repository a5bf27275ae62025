import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWithBlurredFaces } from '../../../src/main/services/faces/blurCopy';
import { blurTimescaleOf } from '../../../src/main/services/faces/blurTimescale';
import { readFrames } from '../../../src/main/services/faces/rawFrames';
import { probeVideo } from '../../../src/node/media/probeVideo';
import { DEFAULT_BLUR, type BlurSettings } from '../../../src/shared/domain/faces/blurFrame';
import {
  blurRectsAt,
  type FaceTrack,
  type PixelRect,
} from '../../../src/shared/domain/faces/faceTracks';
import { facesOnFrame, makePanClip, markedFaces, type MarkedImage } from '../../support/faceClips';
import { fixtureBatch, repoRoot, requireFixtures, tempDir } from '../fixturePaths';

/**
 * The blurred copy checked by its pixels and its frame table: every hand-marked face's region
 * loses its detail, everything outside the padded regions stays as the source within encoder
 * noise, and every frame keeps its time. Regions come from the marked boxes, so the test is about
 * the blurring, not the detector (faceRecall.test.ts measures that).
 */
const marked = markedFaces(repoRoot);
let dir: { path: string; remove: () => void };

beforeAll(() => {
  requireFixtures();
  dir = tempDir('blurcopy');
});
afterAll(() => dir.remove());

function tracksOf(image: MarkedImage): FaceTrack[] {
  return image.faces.map((_, index) => ({
    id: `marked-${index}`,
    boxes: Array.from({ length: marked.framesPerClip }, (__, frame) => ({
      ...(facesOnFrame(image, frame)[index] as ReturnType<typeof facesOnFrame>[number]),
      frame,
    })),
  }));
}

async function lumaFrames(file: string, width: number, height: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for await (const f of readFrames({ input: file, width, height, pixelFormat: 'yuv420p' })) {
    frames.push(f.subarray(0, width * height));
  }
  return frames;
}

function variance(luma: Uint8Array, width: number, r: PixelRect): number {
  let sum = 0;
  let sq = 0;
  const n = r.width * r.height;
  for (let y = r.y; y < r.y + r.height; y += 1) {
    for (let x = r.x; x < r.x + r.width; x += 1) {
      const v = luma[y * width + x] ?? 0;
      sum += v;
      sq += v * v;
    }
  }
  return sq / n - (sum / n) ** 2;
}

/** Mean squared difference of neighbouring pixels, across and down: the picture's fine detail. */
function detail(luma: Uint8Array, width: number, r: PixelRect): number {
  let sum = 0;
  let n = 0;
  for (let y = r.y; y < r.y + r.height - 1; y += 1) {
    for (let x = r.x; x < r.x + r.width - 1; x += 1) {
      const v = luma[y * width + x] ?? 0;
      sum +=
        (v - (luma[y * width + x + 1] ?? 0)) ** 2 + (v - (luma[(y + 1) * width + x] ?? 0)) ** 2;
      n += 2;
    }
  }
  return sum / n;
}

describe.each(['pixelate', 'gaussian'] as const)('a copy with faces blurred (%s)', (method) => {
  const settings: BlurSettings = { ...DEFAULT_BLUR, method };

  it.each(['messi5', 'lena-portrait', 'people-group'])(
    '%s: blurs each marked face, keeps the rest and every frame time',
    async (name) => {
      const image = marked.images.find((i) => i.name === name) as MarkedImage;
      const { width, height } = image.clip;
      const source = join(dir.path, `${name}-${method}.mp4`);
      makePanClip(image, marked, source);
      const probe = await probeVideo(source);
      const out = join(dir.path, `${name}-${method}-blurred.mp4`);
      const tracks = tracksOf(image);
      const result = await copyWithBlurredFaces(source, out, {
        frameTimes: probe.frameTimes,
        width,
        height,
        tracks,
        settings,
        timescale: await blurTimescaleOf(source, probe.container),
      });
      expect(result.frameCount).toBe(marked.framesPerClip);

      const copy = await probeVideo(out);
      expect(copy.frameTimes).toEqual(probe.frameTimes);
      expect(copy.codecFamily).toBe('h264');

      const before = await lumaFrames(source, width, height);
      const after = await lumaFrames(out, width, height);
      expect(after).toHaveLength(before.length);
      let outsideDiff = 0;
      let outsideCount = 0;
      for (let frame = 0; frame < before.length; frame += 1) {
        const a = before[frame] as Uint8Array;
        const b = after[frame] as Uint8Array;
        for (const face of facesOnFrame(image, frame)) {
          const rect = { x: face.x, y: face.y, width: face.width, height: face.height };
          // Its spread of values drops; blurred, its fine detail goes too (pixelated, the block
          // edges are new detail of their own, so that measure does not apply).
          expect(variance(b, width, rect)).toBeLessThan(variance(a, width, rect) * 0.6);
          if (method === 'gaussian') {
            expect(detail(b, width, rect)).toBeLessThan(detail(a, width, rect) * 0.25);
          }
        }
        // Outside the padded regions, grown 8 px more for the codec's block edges.
        const grown = blurRectsAt(tracks, frame, { width, height }, settings.padding).map((r) => ({
          x0: r.x - 8,
          y0: r.y - 8,
          x1: r.x + r.width + 8,
          y1: r.y + r.height + 8,
        }));
        for (let y = 0; y < height; y += 1) {
          for (let x = 0; x < width; x += 1) {
            if (grown.some((g) => x >= g.x0 && x < g.x1 && y >= g.y0 && y < g.y1)) continue;
            outsideDiff += Math.abs((a[y * width + x] ?? 0) - (b[y * width + x] ?? 0));
            outsideCount += 1;
          }
        }
      }
      // Mean absolute luma change outside the regions: x264 at CRF 18 re-encoding an x264 clip.
      expect(outsideDiff / outsideCount).toBeLessThan(2.5);
    },
    300_000,
  );
});

describe('an odd-sized clip (321×241)', () => {
  it('is blurred at its own size, every frame time kept, the wearer’s hand left alone', async () => {
    const messi = marked.images.find((i) => i.name === 'messi5') as MarkedImage;
    const image = { ...messi, clip: { ...messi.clip, width: 321, height: 241 } };
    const { width, height } = image.clip;
    const source = join(dir.path, 'odd.mp4');
    makePanClip(image, marked, source, marked.framesPerClip, 'yuv444p');
    const probe = await probeVideo(source);
    expect([probe.width, probe.height]).toEqual([321, 241]);
    const tracks = tracksOf(image);
    // A "hand" box over every face from frame 5 on: those regions must come out untouched.
    const hand = (frame: number) =>
      frame < 5
        ? []
        : facesOnFrame(image, frame).map((f) => ({
            trackId: 'wearer-left',
            rect: {
              x: Math.floor(f.x) - 20,
              y: Math.floor(f.y) - 20,
              width: f.width + 40,
              height: f.height + 40,
            },
          }));
    const out = join(dir.path, 'odd-blurred.mp4');
    const result = await copyWithBlurredFaces(source, out, {
      frameTimes: probe.frameTimes,
      width,
      height,
      tracks,
      settings: DEFAULT_BLUR,
      wearerHandsAt: hand,
      timescale: await blurTimescaleOf(source, probe.container),
    });
    const copy = await probeVideo(out);
    expect([copy.width, copy.height]).toEqual([321, 241]);
    expect(copy.frameTimes).toEqual(probe.frameTimes);
    expect(result.wearerExclusions).toEqual(
      tracks.map((t) => ({
        trackId: t.id,
        handTrackId: 'wearer-left',
        action: 'excluded',
        firstFrame: 5,
        lastFrame: marked.framesPerClip - 1,
      })),
    );

    const lumaOf = async (file: string) => {
      const frames: Uint8Array[] = [];
      for await (const f of readFrames({ input: file, width, height, pixelFormat: 'yuv444p' })) {
        frames.push(f.subarray(0, width * height));
      }
      return frames;
    };
    const before = await lumaOf(source);
    const after = await lumaOf(out);
    expect(after).toHaveLength(before.length);
    for (const frame of [0, 4, 5, marked.framesPerClip - 1]) {
      for (const face of facesOnFrame(image, frame)) {
        const rect = {
          x: Math.max(0, Math.round(face.x)),
          y: Math.max(0, Math.round(face.y)),
          width: face.width,
          height: face.height,
        };
        if (rect.x + rect.width > width || rect.y + rect.height > height) continue;
        const a = variance(before[frame] as Uint8Array, width, rect);
        const b = variance(after[frame] as Uint8Array, width, rect);
        if (frame < 5) expect(b).toBeLessThan(a * 0.6);
        else expect(Math.abs(b - a)).toBeLessThan(a * 0.15);
      }
    }
  }, 300_000);
});

describe('frame times', () => {
  it('keeps the irregular times of a variable-frame-rate clip exactly', async () => {
    const source = join(fixtureBatch, 'vfr.mp4');
    const probe = await probeVideo(source);
    const out = join(dir.path, 'vfr-blurred.mp4');
    await copyWithBlurredFaces(source, out, {
      frameTimes: probe.frameTimes,
      width: probe.width,
      height: probe.height,
      tracks: [{ id: 'f', boxes: [{ frame: 3, x: 100, y: 100, width: 40, height: 40, score: 1 }] }],
      settings: DEFAULT_BLUR,
      timescale: await blurTimescaleOf(source, probe.container),
    });
    const copy = await probeVideo(out);
    expect(copy.frameTimes.length).toBe(probe.frameTimes.length);
    copy.frameTimes.forEach((t, i) =>
      expect(Math.abs(t - (probe.frameTimes[i] ?? NaN))).toBeLessThanOrEqual(1e-6),
    );
  }, 300_000);

  it('refuses, and leaves no file, when the copy cannot have the frame table it was given', async () => {
    const source = join(fixtureBatch, 'cfr30.mp4');
    const probe = await probeVideo(source);
    const out = join(dir.path, 'refused.mp4');
    await expect(
      copyWithBlurredFaces(source, out, {
        frameTimes: probe.frameTimes.slice(1),
        width: probe.width,
        height: probe.height,
        tracks: [],
        settings: DEFAULT_BLUR,
        timescale: await blurTimescaleOf(source, probe.container),
      }),
    ).rejects.toMatchObject({ code: 'FRAME_TABLE_CHANGED' });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 300_000);
});
