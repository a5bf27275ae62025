import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../../../src/node/media/probeVideo';
import { copyWithoutMetadata } from '../../../src/node/media/stripMetadata';
import { privacyReportOf } from '../../../src/shared/domain/privacyReport';
import { fixtureBatch, requireFixtures, tempDir } from '../fixturePaths';

/**
 * Every way a container keeps a device's make and model, written by ffmpeg the way cameras and
 * phones' muxers do, and read back by ffprobe as the reference: the privacy report must flag what
 * ffprobe sees, and the export copy must carry none of it.
 */
type Kind = { name: string; file: string; args: string[]; make: string; model: string };

const KINDS: Kind[] = [
  {
    name: 'QuickTime udta atoms ©mak/©mod (MOV, ffmpeg without metadata tags)',
    file: 'udta.mov',
    args: ['-metadata', 'make=Acme', '-metadata', 'model=Cam One'],
    make: 'Acme',
    model: 'Cam One',
  },
  {
    name: 'Apple mdta keys com.apple.quicktime.make/model',
    file: 'apple.mov',
    args: [
      '-movflags',
      'use_metadata_tags',
      '-metadata',
      'com.apple.quicktime.make=Apple',
      '-metadata',
      'com.apple.quicktime.model=iPhone 15 Pro',
    ],
    make: 'Apple',
    model: 'iPhone 15 Pro',
  },
  {
    name: 'plain make/model mdta keys in a MOV (-movflags use_metadata_tags)',
    file: 'plain.mov',
    args: [
      '-movflags',
      'use_metadata_tags',
      '-metadata',
      'make=Acme',
      '-metadata',
      'model=Cam One',
    ],
    make: 'Acme',
    model: 'Cam One',
  },
  {
    name: 'plain make/model mdta keys in an MP4',
    file: 'plain.mp4',
    args: ['-movflags', 'use_metadata_tags', '-metadata', 'make=Acme', '-metadata', 'model=Cam 2'],
    make: 'Acme',
    model: 'Cam 2',
  },
  {
    name: 'Android mdta keys com.android.manufacturer/model',
    file: 'android.mp4',
    args: [
      '-movflags',
      'use_metadata_tags',
      '-metadata',
      'com.android.version=14',
      '-metadata',
      'com.android.manufacturer=Google',
      '-metadata',
      'com.android.model=Pixel 8',
    ],
    make: 'Google',
    model: 'Pixel 8',
  },
  {
    name: 'Matroska MAKE/MODEL tags',
    file: 'plain.mkv',
    args: ['-metadata', 'make=Acme', '-metadata', 'model=Cam 3'],
    make: 'Acme',
    model: 'Cam 3',
  },
  {
    name: 'Android keys in Matroska tags',
    file: 'android.mkv',
    args: [
      '-metadata',
      'com.android.manufacturer=Samsung',
      '-metadata',
      'com.android.model=SM-S918B',
    ],
    make: 'Samsung',
    model: 'SM-S918B',
  },
];

let dir: { path: string; remove: () => void };

beforeAll(() => {
  requireFixtures();
  dir = tempDir('devicetags');
  for (const kind of KINDS) {
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-i', join(fixtureBatch, 'cfr30.mp4'), '-c', 'copy', ...kind.args],
      join(dir.path, kind.file),
    ]);
  }
});
afterAll(() => dir.remove());

/** ffprobe's format and stream tags, the reference for what the file carries. */
function ffprobeTags(file: string): Record<string, string> {
  const out = execFileSync('ffprobe', [
    ...['-v', 'error', '-show_entries', 'format_tags:stream_tags', '-of', 'json', file],
  ]);
  const parsed = JSON.parse(out.toString()) as {
    format?: { tags?: Record<string, string> };
    streams?: { tags?: Record<string, string> }[];
  };
  const tags: Record<string, string> = { ...parsed.format?.tags };
  for (const stream of parsed.streams ?? []) Object.assign(tags, stream.tags);
  return tags;
}

describe.each(KINDS)('$name', (kind) => {
  it('flags the make and model ffprobe reports', async () => {
    const file = join(dir.path, kind.file);
    const tags = Object.values(ffprobeTags(file));
    // The fixture really carries the tags (as ffprobe reads them), or the test proves nothing.
    expect(tags).toContain(kind.make);
    expect(tags).toContain(kind.model);

    const probe = await probeVideo(file);
    expect(probe.flagged.make).toBe(kind.make);
    expect(probe.flagged.model).toBe(kind.model);

    const report = privacyReportOf(
      { id: 'b', name: 'batch', contributor: null, region: null },
      [
        {
          id: 'c',
          relativePath: kind.file,
          container: probe.container,
          consent: { state: 'valid' },
          flagged: probe.flagged,
        },
      ],
      new Date(),
    );
    expect(report.totals.withDevice).toBe(1);
    expect(report.clips[0]?.strippedOnExport).toEqual(expect.arrayContaining(['make', 'model']));
  });

  it('leaves neither in the exported copy', async () => {
    const file = join(dir.path, kind.file);
    const probe = await probeVideo(file);
    const out = join(dir.path, `clean-${kind.file}`);
    await copyWithoutMetadata(file, out, {
      container: probe.container,
      frameTimes: probe.frameTimes,
    });
    const tags = Object.values(ffprobeTags(out));
    expect(tags).not.toContain(kind.make);
    expect(tags).not.toContain(kind.model);
    expect((await probeVideo(out)).flagged).toMatchObject({ make: null, model: null });
  });
});
