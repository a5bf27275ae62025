import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBatch, requireFixtures, tempDir } from './fixturePaths';
import { framewise } from './runFramewise';

let dir: { path: string; remove: () => void };
let db: string;

/** A batch folder named `name` under `parent`, holding one fixture clip. */
function folder(parent: string, name: string, clip: string): string {
  const path = join(dir.path, parent, name);
  mkdirSync(path, { recursive: true });
  cpSync(join(fixtureBatch, clip), join(path, clip));
  return path;
}

beforeAll(async () => {
  requireFixtures();
  dir = tempDir('cli-batches');
  db = join(dir.path, 'framewise.sqlite');
  // Two recording sessions that happen to share a folder name, and one that does not.
  for (const [parent, name, clip] of [
    ['a', 'session', 'cfr30.mp4'],
    ['b', 'session', 'cfr60.mp4'],
    ['c', 'kitchen', 'vfr.mp4'],
  ] as const) {
    const imported = await framewise(['import', folder(parent, name, clip), '--db', db, '--json']);
    expect(imported.code).toBe(0);
  }
});
afterAll(() => dir.remove());

describe('framewise batches, and batches named by name', () => {
  it('lists id, name, clips and the consent summary, as text and as JSON', async () => {
    const json = await framewise(['batches', '--db', db, '--json']);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as {
      id: string;
      name: string;
      clips: number;
      consent: Record<string, number>;
    }[];
    expect(rows.map((r) => r.name).sort()).toEqual(['kitchen', 'session', 'session']);
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.clips).toBe(1);
      // No manifest, so no consent record: the clip is listed as missing consent.
      expect(row.consent).toEqual({ missing: 1 });
    }
    const text = await framewise(['batches', '--db', db]);
    const kitchen = rows.find((r) => r.name === 'kitchen');
    expect(text.stdout).toContain(`${kitchen?.id ?? ''}  kitchen  1 clips  consent: 1 missing`);
  });

  it('takes a unique name where a batch id goes, and refuses an ambiguous one clearly', async () => {
    const byName = await framewise(['privacy-report', 'kitchen', '--db', db, '--json']);
    expect(byName.code).toBe(0);
    expect(JSON.parse(byName.stdout)).toMatchObject({ batchName: 'kitchen' });

    const ambiguous = await framewise(['privacy-report', 'session', '--db', db]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/AMBIGUOUS_BATCH_NAME: 2 batches are named "session"/);

    // Export resolves the name (and then finds nothing accepted to export in it).
    const exported = await framewise([
      'export',
      '--batch',
      'kitchen',
      '--out',
      join(dir.path, 'out'),
      '--db',
      db,
    ]);
    expect(exported.code).toBe(1);
    expect(JSON.parse(exported.stdout)).toMatchObject({ error: { code: 'NOTHING_TO_EXPORT' } });
    const unknown = await framewise([
      'export',
      '--batch',
      'attic',
      '--out',
      join(dir.path, 'o2'),
      '--db',
      db,
    ]);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: 'BATCH_NOT_FOUND' } });
  });
});
