import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../../src/node/media/probeVideo';
import { readSampleTable, SampleTableCache } from '../../src/main/services/media/sampleTable';
import type { SampleTableData } from '../../src/main/services/media/sampleTable';
import { fixtureBatch, repoRoot, requireFixtures } from './fixturePaths';

const ffprobe =
  process.env.FFPROBE ??
  (existsSync('/usr/bin/ffprobe') ? '/usr/bin/ffprobe' : ffprobeInstaller.path);
const run = promisify(execFile);

type Packet = { pts: number; flags: string };

/** Video packets in file (decode) order, as ffprobe demuxes them: pts and K(ey)/D(iscard) flags. */
async function ffprobePackets(filePath: string): Promise<Packet[]> {
  const { stdout } = await run(
    ffprobe,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_packets',
      '-show_entries',
      'packet=pts,flags',
      '-of',
      'json',
      filePath,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const parsed = JSON.parse(stdout) as { packets: { pts?: number; flags?: string }[] };
  return parsed.packets.map((packet) => ({ pts: packet.pts ?? NaN, flags: packet.flags ?? '' }));
}

/** Decode-order sample numbers sorted by presentation time. */
function presentationOrder(table: SampleTableData): number[] {
  return table.cts
    .map((cts, decodeIndex) => ({ cts, decodeIndex }))
    .filter(({ decodeIndex }) => (table.frameIndex[decodeIndex] ?? -1) >= 0)
    .sort((a, b) => a.cts - b.cts)
    .map(({ decodeIndex }) => decodeIndex);
}

beforeAll(() => {
  requireFixtures();
});

describe('readSampleTable on MP4/MOV fixtures', () => {
  it.each(['cfr30.mp4', 'vfr.mp4', 'rotated.mov', 'hevc.mp4', 'ntsc2997.mp4', 'cfr60.mp4'])(
    '%s: frameIndex in presentation order is 0..n-1 and names the frame table entry of each sample',
    async (name) => {
      const filePath = join(fixtureBatch, name);
      const [table, probe] = await Promise.all([readSampleTable(filePath), probeVideo(filePath)]);
      const n = table.offsets.length;
      for (const column of [table.sizes, table.cts, table.dts, table.isSync, table.frameIndex]) {
        expect(column).toHaveLength(n);
      }
      const order = presentationOrder(table);
      expect(order.map((d) => table.frameIndex[d])).toEqual(probe.frameTimes.map((_, i) => i));
      // Each sample's own time, rebased on frame 0, is the frame table's time for its index.
      const first = order[0] ?? -1;
      const origin = (table.cts[first] ?? NaN) / table.timescale - (probe.frameTimes[0] ?? NaN);
      table.frameIndex.forEach((index, d) => {
        if (index < 0) return;
        expect((table.cts[d] ?? NaN) / table.timescale - origin).toBeCloseTo(
          probe.frameTimes[index] ?? NaN,
          9,
        );
      });
      expect(table.dts).toEqual([...table.dts].sort((a, b) => a - b));
      expect(table.rotation).toBe(probe.rotation);
      expect(table.codec).toBe(probe.codec);
    },
  );

  it.each(['cfr30.mp4', 'vfr.mp4', 'rotated.mov', 'hevc.mp4'])(
    '%s: sync samples and presentation ranks match ffprobe packet by packet',
    async (name) => {
      const filePath = join(fixtureBatch, name);
      const [table, packets] = await Promise.all([
        readSampleTable(filePath),
        ffprobePackets(filePath),
      ]);
      expect(table.isSync).toEqual(packets.map((packet) => packet.flags.includes('K')));
      const ranked = packets
        .map((packet, decodeIndex) => ({ ...packet, decodeIndex }))
        .filter((packet) => !packet.flags.includes('D'))
        .sort((a, b) => a.pts - b.pts);
      const expected = new Array<number>(packets.length).fill(-1);
      ranked.forEach((packet, rank) => {
        expected[packet.decodeIndex] = rank;
      });
      expect(table.frameIndex).toEqual(expected);
    },
  );

  it('gives the AVCDecoderConfigurationRecord and HEVCDecoderConfigurationRecord as description', async () => {
    const avc = await readSampleTable(join(fixtureBatch, 'cfr30.mp4'));
    const hevc = await readSampleTable(join(fixtureBatch, 'hevc.mp4'));
    const avcBytes = Buffer.from(avc.description ?? '', 'base64');
    const hevcBytes = Buffer.from(hevc.description ?? '', 'base64');
    // configurationVersion 1, then the profile the codec string names (avc1.PPCCLL).
    expect(avcBytes[0]).toBe(1);
    expect(avcBytes.subarray(1, 4).toString('hex')).toBe(avc.codec.slice('avc1.'.length));
    expect(hevcBytes[0]).toBe(1);
    expect(hevcBytes.byteLength).toBeGreaterThan(22);
  });

  it('marks samples the edit list hides with -1', async () => {
    const filePath = join(repoRoot, 'tests', 'fixtures', 'generated', 'probe', 'editcut.mp4');
    const [table, probe] = await Promise.all([readSampleTable(filePath), probeVideo(filePath)]);
    const shown = table.frameIndex.filter((index) => index >= 0);
    expect(shown).toHaveLength(probe.frameCount);
    expect(table.frameIndex.filter((index) => index === -1).length).toBe(
      table.offsets.length - probe.frameCount,
    );
  });

  it('refuses WebM with NO_SAMPLE_TABLE and a sentence', async () => {
    await expect(readSampleTable(join(fixtureBatch, 'clip.webm'))).rejects.toMatchObject({
      code: 'NO_SAMPLE_TABLE',
      message: expect.stringMatching(/not an MP4\/MOV file/) as unknown,
    });
  });

  it('reads a reopened file once (LRU of 8)', async () => {
    let reads = 0;
    const cache = new SampleTableCache(2, async (filePath) => {
      reads += 1;
      return readSampleTable(filePath);
    });
    const a = join(fixtureBatch, 'cfr30.mp4');
    const b = join(fixtureBatch, 'vfr.mp4');
    const c = join(fixtureBatch, 'hevc.mp4');
    await cache.get(a);
    await cache.get(b);
    await cache.get(a);
    expect(reads).toBe(2);
    await cache.get(c); // evicts b, the least recently used
    await cache.get(a);
    expect(reads).toBe(3);
    await cache.get(b);
    expect(reads).toBe(4);
    expect(cache.size).toBe(2);
  });
});
