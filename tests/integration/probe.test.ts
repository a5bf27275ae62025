import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodecFamily, ImportErrorCode, ProbeResult } from '../../src/shared/api/schemas';
import { normalizeRotation } from '../../src/shared/domain/rotation';
import { ImportError } from '../../src/node/importError';
import { probeMp4 } from '../../src/node/media/probeMp4';
import { probeVideo } from '../../src/node/media/probeVideo';
import { quickFingerprint, sha256File } from '../../src/node/media/sha256File';

const generated = fileURLToPath(new URL('../fixtures/generated/', import.meta.url));
if (!existsSync(join(generated, '.stamp'))) {
  throw new Error(
    `Video fixtures are missing from ${generated}: run \`npm run fixtures\` before these tests.`,
  );
}
const fixture = (relative: string): string => join(generated, relative);

/** $FFPROBE, else the system ffprobe (what the fixtures were checked with), else the bundled one. */
const FFPROBE =
  process.env.FFPROBE ??
  (existsSync('/usr/bin/ffprobe') ? '/usr/bin/ffprobe' : ffprobeInstaller.path);
const run = promisify(execFile);

type Truth = {
  timeBase: [number, number];
  pts: number[];
  rotation: number;
  codecName: string;
};

/** What ffprobe sees by decoding: the frames a player shows, in presentation order. */
async function ffprobeTruth(filePath: string): Promise<Truth> {
  const { stdout } = await run(
    FFPROBE,
    [
      '-v',
      'error',
      '-select_streams',
      'V:0',
      '-show_entries',
      'stream=codec_name,time_base:stream_side_data=rotation:frame=pts,best_effort_timestamp',
      '-of',
      'json',
      filePath,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as {
    streams: { codec_name: string; time_base: string; side_data_list?: { rotation?: number }[] }[];
    frames: { pts?: number; best_effort_timestamp?: number }[];
  };
  const stream = json.streams[0];
  if (!stream) throw new Error(`ffprobe found no video stream in ${filePath}`);
  const [num = 0, den = 0] = stream.time_base.split('/').map(Number);
  const rotation = stream.side_data_list?.find((item) => item.rotation !== undefined)?.rotation;
  return {
    timeBase: [num, den],
    pts: json.frames.map((frame) => {
      const pts = frame.pts ?? frame.best_effort_timestamp;
      if (pts === undefined) throw new Error(`ffprobe gave a frame without pts in ${filePath}`);
      return pts;
    }),
    rotation: rotation ?? 0,
    codecName: stream.codec_name,
  };
}

const FAMILY_OF_FFPROBE_CODEC: Record<string, CodecFamily> = {
  h264: 'h264',
  hevc: 'hevc',
  vp8: 'vp8',
  vp9: 'vp9',
  av1: 'av1',
};

const GOOD: { file: string; family: CodecFamily; flagged: boolean }[] = [
  { file: 'batch/cfr30.mp4', family: 'h264', flagged: false },
  { file: 'batch/ntsc2997.mp4', family: 'h264', flagged: false },
  { file: 'batch/cfr60.mp4', family: 'h264', flagged: false },
  { file: 'batch/vfr.mp4', family: 'h264', flagged: false },
  { file: 'batch/rotated.mov', family: 'h264', flagged: true },
  { file: 'batch/clip.webm', family: 'vp9', flagged: false },
  { file: 'batch/hevc.mp4', family: 'hevc', flagged: false },
  { file: 'probe/editcut.mp4', family: 'h264', flagged: false },
  { file: 'probe/lateedit.mp4', family: 'h264', flagged: false },
  { file: 'probe/fragmented.mp4', family: 'h264', flagged: false },
  { file: 'probe/mdta.mov', family: 'h264', flagged: true },
  { file: 'probe/h264.mkv', family: 'h264', flagged: false },
];

describe('probeVideo on good clips agrees with ffprobe', () => {
  describe.each(GOOD)('$file', ({ file, family, flagged }) => {
    let probed: ProbeResult;
    let truth: Truth;
    beforeAll(async () => {
      [probed, truth] = await Promise.all([probeVideo(fixture(file)), ffprobeTruth(fixture(file))]);
    });

    it('has every frame ffprobe decodes, at the same timestamps in stream time base units', () => {
      const [num, den] = truth.timeBase;
      const ours = probed.frameTimes.map((seconds) => Math.round((seconds * den) / num));
      expect(ours).toEqual(truth.pts);
      expect(probed.frameCount).toBe(truth.pts.length);
      probed.frameTimes.forEach((seconds, i) => {
        expect(Math.abs(seconds - ((truth.pts[i] ?? NaN) * num) / den)).toBeLessThan(1e-6);
      });
    });

    it('spans the frames: duration = last pts + last frame duration - first pts', () => {
      const first = probed.frameTimes[0] ?? NaN;
      const last = probed.frameTimes[probed.frameTimes.length - 1] ?? NaN;
      expect(probed.durationSeconds).toBeCloseTo(last + probed.lastFrameDurationSeconds - first, 9);
      expect(probed.lastFrameDurationSeconds).toBeGreaterThan(0);
    });

    it('reads the rotation ffprobe reports, turned clockwise', () => {
      expect(probed.rotation).toBe(normalizeRotation(-truth.rotation));
    });

    it('names the codec family', () => {
      expect(probed.codecFamily).toBe(family);
      expect(FAMILY_OF_FFPROBE_CODEC[truth.codecName]).toBe(family);
      expect(probed.width).toBe(320);
      expect(probed.height).toBe(240);
    });

    it(flagged ? 'flags location, make and model' : 'flags no metadata', () => {
      if (flagged) {
        expect(probed.flagged.location).toMatch(/^[+-]\d+\.\d+[+-]\d+\.\d+.*\/$/u);
        expect(probed.flagged.make).toBe('Apple');
        expect(probed.flagged.model).toMatch(/^iPhone/u);
        expect(probed.flagged.creationTime).toMatch(/^\d{4}-\d{2}-\d{2}T/u);
      } else {
        expect(probed.flagged).toEqual({
          location: null,
          make: null,
          model: null,
          creationTime: null,
        });
      }
    });
  });

  it('reads the exact metadata written into the rotated MOV', async () => {
    const probed = await probeVideo(fixture('batch/rotated.mov'));
    expect(probed.rotation).toBe(90);
    expect(probed.container).toBe('mov');
    expect(probed.flagged).toEqual({
      location: '+37.7749-122.4194/',
      make: 'Apple',
      model: 'iPhone 12',
      creationTime: '2024-05-01T12:34:56.000Z',
    });
  });

  it('gives browser codec strings', async () => {
    expect((await probeVideo(fixture('batch/cfr30.mp4'))).codec).toMatch(/^avc1\.64[0-9a-f]{4}$/u);
    expect((await probeVideo(fixture('batch/hevc.mp4'))).codec).toMatch(/^hvc1\./u);
    expect((await probeVideo(fixture('batch/clip.webm'))).codec).toMatch(/^vp09\.00\.\d\d\.08$/u);
  });
});

const BAD: { file: string; code: ImportErrorCode }[] = [
  { file: 'batch/truncated.mp4', code: 'TRUNCATED' },
  { file: 'probe/truncated_moovlast.mp4', code: 'TRUNCATED' },
  { file: 'probe/truncated.webm', code: 'TRUNCATED' },
  { file: 'batch/empty.mp4', code: 'EMPTY_FILE' },
  { file: 'batch/notes.mp4', code: 'NOT_A_VIDEO' },
  { file: 'batch/mpeg4.mp4', code: 'UNSUPPORTED_CODEC' },
  { file: 'probe/audio.m4a', code: 'NO_VIDEO_TRACK' },
  { file: 'probe/audio.webm', code: 'NO_VIDEO_TRACK' },
  { file: 'probe/does-not-exist.mp4', code: 'FILE_MISSING' },
  { file: 'batch', code: 'NOT_A_VIDEO' },
];

describe('probeVideo on bad files', () => {
  it.each(BAD)('rejects $file with $code, naming the file', async ({ file, code }) => {
    const error: unknown = await probeVideo(fixture(file)).then(
      () => null,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).code).toBe(code);
    expect((error as ImportError).file).toBe(fixture(file));
    expect((error as ImportError).message).toContain(file.split('/').pop());
  });

  it('says which codec is unsupported and what to do about it', async () => {
    await expect(probeVideo(fixture('batch/mpeg4.mp4'))).rejects.toThrow(
      /mp4v \(MPEG-4 Part 2\).*H\.264/u,
    );
  });

  it('says an empty file is empty and should be copied again', async () => {
    await expect(probeVideo(fixture('batch/empty.mp4'))).rejects.toThrow(
      /is empty \(0 bytes\); re-copy it from the phone/u,
    );
  });
});

describe('probeVideo on damaged MP4 indexes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'framewise-damaged-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every corrupted or cut copy with a result or an ImportError, never a crash', async () => {
    const original = readFileSync(fixture('batch/rotated.mov'));
    const moovAt = original.indexOf('moov') - 4;
    let seed = 1;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const path = join(dir, 'damaged.mov');
    for (let round = 0; round < 300; round += 1) {
      const bytes = Buffer.from(original);
      for (let i = 0; i <= random(4); i += 1) {
        bytes[moovAt + random(bytes.length - moovAt)] = random(256);
      }
      await writeFile(path, round % 3 === 0 ? bytes.subarray(0, random(bytes.length)) : bytes);
      const outcome: unknown = await probeVideo(path).then(
        (result) => result,
        (error: unknown) => error,
      );
      if (outcome instanceof ImportError) {
        expect(outcome.message).toContain('damaged.mov');
      } else {
        expect(outcome).toMatchObject({ frameTableSource: 'mp4box' });
      }
    }
  });
});

describe('MP4 probing reads only the index', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'framewise-probe-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a small fraction of a small clip', async () => {
    const path = fixture('batch/cfr30.mp4');
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const { bytesRead } = await probeMp4(file, size, path);
      expect(bytesRead).toBeLessThan(size / 4);
    } finally {
      await file.close();
    }
  });

  it('reads a few KB of a 4 GiB file whose payload sits behind a 64-bit box', async () => {
    // A faststart clip followed by a 'free' box declared with a 64-bit largesize and made real
    // by extending the file sparsely: 4 GiB on paper, nothing on disk.
    const path = join(dir, 'huge.mp4');
    const clip = readFileSync(fixture('batch/ntsc2997.mp4'));
    const freeSize = 4 * 2 ** 30;
    const header = Buffer.alloc(16);
    header.writeUInt32BE(1, 0);
    header.write('free', 4, 'latin1');
    header.writeBigUInt64BE(BigInt(freeSize), 8);
    await writeFile(path, Buffer.concat([clip, header]));
    const file = await open(path, 'r+');
    try {
      await file.truncate(clip.byteLength + freeSize);
      const { size } = await file.stat();
      // What it reads, not how long it takes: a busy machine slows any probe.
      const { result, bytesRead } = await probeMp4(file, size, path);
      expect(result.frameCount).toBe(90);
      expect(bytesRead).toBeLessThan(64 * 1024);
    } finally {
      await file.close();
    }
  });
});

describe('sha256File and quickFingerprint', () => {
  it('hashes a file like sha256sum and reports progress to the total', async () => {
    const path = fixture('batch/cfr30.mp4');
    const { stdout } = await run('sha256sum', [path]);
    const progress: [number, number][] = [];
    const hash = await sha256File(path, (done, total) => progress.push([done, total]));
    expect(hash).toBe(stdout.split(' ')[0]);
    const size = readFileSync(path).byteLength;
    expect(progress.at(-1)).toEqual([size, size]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      sha256File(fixture('batch/cfr30.mp4'), undefined, controller.signal),
    ).rejects.toThrow();
  });

  it('reports a missing file as FILE_MISSING', async () => {
    await expect(sha256File(fixture('batch/nope.mp4'))).rejects.toMatchObject({
      code: 'FILE_MISSING',
    });
  });

  it('fingerprints equal bytes equally and different bytes differently', async () => {
    const a = await quickFingerprint(fixture('batch/cfr30.mp4'));
    expect(a).toMatch(/^[0-9a-f]{64}$/u);
    expect(await quickFingerprint(fixture('batch/cfr30.mp4'))).toBe(a);
    expect(await quickFingerprint(fixture('batch/cfr60.mp4'))).not.toBe(a);
    expect(await quickFingerprint(fixture('batch/empty.mp4'))).toMatch(/^[0-9a-f]{64}$/u);
  });
});
