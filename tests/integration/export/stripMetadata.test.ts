import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../../../src/node/media/probeVideo';
import { copyWithoutMetadata, neutraliseMp4Metadata } from '../../../src/node/media/stripMetadata';
import { fixtureBatch, repoRoot, requireFixtures, tempDir } from '../fixturePaths';

const probeDir = join(repoRoot, 'tests', 'fixtures', 'generated', 'probe');
let dir: { path: string; remove: () => void };

beforeAll(() => {
  requireFixtures();
  dir = tempDir('strip');
});
afterAll(() => dir.remove());

/** Bytes outside the moov box, which holds every metadata box of these fixtures. */
function mediaBytes(file: string): Buffer {
  const bytes = readFileSync(file);
  const at = bytes.indexOf('moov', 0, 'latin1') - 4;
  const size = bytes.readUInt32BE(at);
  return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + size)]);
}

describe('copies without location and device metadata', () => {
  it.each([
    ['QuickTime udta atoms (©xyz, ©mak, ©mod, ©day)', join(fixtureBatch, 'rotated.mov')],
    ['Apple mdta keys (com.apple.quicktime.*)', join(probeDir, 'mdta.mov')],
  ])('removes %s without moving a media byte', async (_what, source) => {
    const original = await probeVideo(source);
    expect(Object.values(original.flagged).some((v) => v !== null)).toBe(true);
    const out = join(dir.path, `clean-${original.frameCount}-${source.length}.mov`);

    const result = await copyWithoutMetadata(source, out, {
      container: original.container,
      frameTimes: original.frameTimes,
    });

    expect(result.method).toBe('mp4-in-place');
    expect(result.report?.neutralised.length).toBeGreaterThan(0);
    const copy = await probeVideo(out);
    expect(copy.flagged).toEqual({ location: null, make: null, model: null, creationTime: null });
    expect(copy.frameTimes).toEqual(original.frameTimes);
    expect(copy.rotation).toBe(original.rotation);
    expect(readFileSync(out).byteLength).toBe(readFileSync(source).byteLength);
    expect(mediaBytes(out).equals(mediaBytes(source))).toBe(true);
    // The text of the flagged values is gone from the file, not only hidden from our reader.
    const text = readFileSync(out).toString('latin1');
    for (const value of ['iPhone', 'Apple', '+37.7749', '+48.8584', 'com.apple.quicktime']) {
      expect(text).not.toContain(value);
    }
  });

  it('copies a WebM by ffmpeg stream copy with the same frame table', async () => {
    const source = join(fixtureBatch, 'clip.webm');
    const original = await probeVideo(source);
    const out = join(dir.path, 'clean.webm');
    const result = await copyWithoutMetadata(source, out, {
      container: original.container,
      frameTimes: original.frameTimes,
    });
    expect(result.method).toBe('ffmpeg-stream-copy');
    expect((await probeVideo(out)).frameTimes).toEqual(original.frameTimes);
  });

  it('fails loudly, and leaves no file, when the copy does not match the frame table', async () => {
    const source = join(fixtureBatch, 'cfr30.mp4');
    const original = await probeVideo(source);
    const out = join(dir.path, 'mismatch.mp4');
    await expect(
      copyWithoutMetadata(source, out, {
        container: original.container,
        frameTimes: original.frameTimes.slice(1),
      }),
    ).rejects.toMatchObject({ code: 'FRAME_TABLE_CHANGED' });
    expect(() => readFileSync(out)).toThrow();
  });

  it('zeroes the header times of movie, tracks and media', async () => {
    const out = join(dir.path, 'times.mov');
    await copyWithoutMetadata(join(fixtureBatch, 'rotated.mov'), out, {
      container: 'mov',
      frameTimes: (await probeVideo(join(fixtureBatch, 'rotated.mov'))).frameTimes,
    });
    // A second pass finds the same headers and nothing left to neutralise.
    const again = await neutraliseMp4Metadata(out);
    expect(again.neutralised).toEqual([]);
    expect(again.timesZeroed).toEqual(
      expect.arrayContaining(['moov/mvhd', 'moov/trak/tkhd', 'moov/trak/mdia/mdhd']),
    );
  });
});
