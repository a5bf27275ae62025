import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRequest, type ExportReport } from '../../../src/shared/api/exportSchemas';
import type { Track } from '../../../src/shared/domain/labels';
import { requireFixtures } from '../fixturePaths';
import { buildWorld, labelClip, sampleTracks, VALID_CONSENT, type World } from './exportWorld';

/**
 * Two workstations import the same batch folder (each gives its clips its own local ids) and hold
 * the same accepted labels, tracks created once with their ids. Their exports must be one
 * dataset: every label file byte-identical once the export-time fields the README lists are set
 * aside, and no local id anywhere in them.
 */
const FILES = ['cfr30.mp4', 'vfr.mp4'];

/** The README's "export-time fields": what may differ between two exports of the same sets. */
function withoutExportTimeFields(file: string, text: string): string {
  if (file === 'coco_keypoints.json') {
    const coco = JSON.parse(text) as { info: Record<string, unknown> };
    delete coco.info.date_created;
    delete coco.info.export_id;
    return JSON.stringify(coco);
  }
  if (file.startsWith('cvat/')) {
    return text.replace(/<(created|updated)>[^<]*<\/\1>/g, '<$1/>');
  }
  if (file === 'provenance.jsonl') {
    return text
      .split('\n')
      .map((line) =>
        line === '' ? line : line.replace(/"exported_at":"[^"]*"/, '"exported_at":""'),
      )
      .join('\n');
  }
  return text;
}

/** Label files of an export: all but the report and the checksums (which cover the report). */
function labelFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(folder, path));
    }
  };
  walk(folder);
  return out.filter((f) => f !== 'export_report.json' && f !== 'checksums.sha256').sort();
}

/** Tracks as an annotator creates them in the app: UUID ids, names people read. */
function tracksWithUuids(): Track[] {
  const [person, hand] = sampleTracks() as [Track, Track];
  return [
    { ...person, id: '4b1d6a2e-8f3c-4e7a-9b5d-2c1e0f9a8b7c' },
    { ...hand, id: 'c9e8d7f6-a5b4-4c3d-8e2f-1a0b9c8d7e6f', label: '' },
  ];
}

let a: World;
let b: World;
beforeAll(async () => {
  requireFixtures();
  a = await buildWorld([{ name: 'session', files: FILES, consent: VALID_CONSENT }], 'machine-a');
  b = await buildWorld([{ name: 'session', files: FILES, consent: VALID_CONSENT }], 'machine-b');
  for (const world of [a, b]) {
    for (const file of FILES) {
      labelClip(
        world,
        world.clips.get(`session/${file}`)?.clipId ?? '',
        'accepted',
        tracksWithUuids(),
      );
    }
  }
});
afterAll(() => {
  a.remove();
  b.remove();
});

async function exportAll(world: World): Promise<{ folder: string; report: ExportReport }> {
  const folder = join(world.root, 'dataset');
  const report = await world.services.exports.run(
    ExportRequest.parse({
      formats: ['coco', 'cvat', 'epic', 'hands', 'provenance'],
      destination: folder,
    }),
  );
  return { folder, report };
}

describe('one accepted set exported on two workstations', () => {
  it('gives the same label files apart from the documented export-time fields', async () => {
    const [ea, eb] = [await exportAll(a), await exportAll(b)];
    // The machines gave the clips different local ids…
    const localIds = (w: World) => [...w.clips.values()].map((c) => c.clipId).sort();
    expect(localIds(a)).not.toEqual(localIds(b));
    // …and the exports name each clip by its file's sha256 alike.
    const sha256s = FILES.map(
      (f) => a.services.store.media.getClip(a.clips.get(`session/${f}`)?.clipId ?? '')?.sha256,
    );
    expect(ea.report.exported.map((c) => c.videoId).sort()).toEqual([...sha256s].sort());
    expect(eb.report.exported.map((c) => c.videoId).sort()).toEqual([...sha256s].sort());

    const files = labelFiles(ea.folder);
    expect(labelFiles(eb.folder)).toEqual(files);
    expect(files).toEqual(
      expect.arrayContaining([
        'coco_keypoints.json',
        `cvat/${sha256s[0] ?? ''}.xml`,
        'actions.csv',
        'hand_object.json',
        'provenance.jsonl',
        'video_info.csv',
      ]),
    );
    for (const file of files) {
      const textA = readFileSync(join(ea.folder, file), 'utf8');
      const textB = readFileSync(join(eb.folder, file), 'utf8');
      expect(withoutExportTimeFields(file, textB), file).toBe(withoutExportTimeFields(file, textA));
      for (const id of [...localIds(a), ...localIds(b)]) expect(textA, file).not.toContain(id);
    }
    // Export-time fields are the only difference, and they do differ (two real exports).
    const cocoA = JSON.parse(readFileSync(join(ea.folder, 'coco_keypoints.json'), 'utf8')) as {
      info: { export_id: string };
      annotations: { track_name: string; track_uid: string }[];
    };
    const cocoB = JSON.parse(readFileSync(join(eb.folder, 'coco_keypoints.json'), 'utf8')) as {
      info: { export_id: string };
    };
    expect(cocoA.info.export_id).not.toBe(cocoB.info.export_id);
    // Tracks keep the id they were created with; their names are readable, never the UUID.
    const names = new Map(cocoA.annotations.map((x) => [x.track_uid, x.track_name]));
    expect(names.get('4b1d6a2e-8f3c-4e7a-9b5d-2c1e0f9a8b7c')).toBe('Person 1');
  });
});
