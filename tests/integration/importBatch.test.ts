import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/api/apiError';
import { createServices, type Services } from '../../src/main/services/createServices';
import { sha256File } from '../../src/node/media/sha256File';
import { badClips, fixtureBatch, goodClips, requireFixtures, tempDir } from './fixturePaths';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
});

beforeAll(requireFixtures);

function setUp(): { services: Services; dir: string } {
  const dir = tempDir('import');
  const services = createServices({
    databasePath: join(dir.path, 'db', 'framewise.sqlite'),
    actor: 'tester',
  });
  cleanups.push(dir.remove, () => services.close());
  return { services, dir: dir.path };
}

function copyBatch(dir: string, files: readonly string[]): string {
  const folder = join(dir, 'batch');
  mkdirSync(folder, { recursive: true });
  for (const file of files) cpSync(join(fixtureBatch, file), join(folder, file));
  return folder;
}

/** A minimal valid batch.json listing these clips. */
function writeManifest(folder: string, clips: { path: string; sha256?: string }[]): void {
  writeFileSync(
    join(folder, 'batch.json'),
    JSON.stringify({ version: 1, batchId: 'b', contributor: { pseudonym: 'contrib_01' }, clips }),
  );
}

async function importFails(services: Services, folder: string): Promise<ApiError> {
  try {
    await services.handlers.importBatch({ folder });
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the import to be refused');
}

describe('batch import', () => {
  it('imports every good clip and gives every bad file its own error', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, [...goodClips, ...Object.keys(badClips)]);
    const report = await services.handlers.importBatch({ folder });

    const byPath = new Map(report.files.map((f) => [f.relativePath, f]));
    for (const clip of goodClips) expect(byPath.get(clip)?.status, clip).toBe('ok');
    for (const [clip, code] of Object.entries(badClips)) {
      const outcome = byPath.get(clip);
      expect(outcome?.status === 'error' && outcome.code, clip).toBe(code);
      expect(outcome?.status === 'error' && outcome.message, clip).toContain(clip);
    }
    expect(report.batch.clipCount).toBe(goodClips.length);
    expect(report.batch.errorCount).toBe(Object.keys(badClips).length);
    expect(
      services.store.media
        .listFileErrors(report.batch.id)
        .map((e) => e.relativePath)
        .sort(),
    ).toEqual(Object.keys(badClips).sort());
  });

  it('treats importing the same bytes again as a no-op', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, ['cfr30.mp4', 'vfr.mp4']);
    const first = await services.handlers.importBatch({ folder });
    const second = await services.handlers.importBatch({ folder });
    expect(second.batch.id).toBe(first.batch.id);
    expect(second.files.every((f) => f.status === 'ok' && f.alreadyImported)).toBe(true);
    expect(services.store.media.listClips(first.batch.id)).toHaveLength(2);
    expect(services.store.media.listBatches()).toHaveLength(1);
  });

  it('streams checksums in the background and records them', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, ['cfr30.mp4']);
    const updates: string[] = [];
    services.events.subscribe((name, payload) => {
      if (name === 'checksumUpdate') updates.push((payload as { sha256: string }).sha256);
    });
    const report = await services.handlers.importBatch({ folder });
    await services.checksums.whenIdle();
    const expected = await sha256File(
      join(folder, 'cfr30.mp4'),
      () => undefined,
      new AbortController().signal,
    );
    const [clip] = services.store.media.listClips(report.batch.id);
    expect(clip?.sha256).toBe(expected);
    expect(clip?.checksumState).toBe('done');
    expect(updates).toEqual([expected]);
  });

  it('marks a clip whose bytes differ from the manifest checksum', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, ['cfr30.mp4']);
    writeFileSync(
      join(folder, 'batch.json'),
      JSON.stringify({
        version: 1,
        batchId: 'b-1',
        contributor: { pseudonym: 'contrib_01', region: 'PT' },
        clips: [{ path: 'cfr30.mp4', sha256: '0'.repeat(64) }],
      }),
    );
    const report = await services.handlers.importBatch({ folder });
    await services.checksums.whenIdle();
    expect(report.batch.contributor).toBe('contrib_01');
    expect(report.batch.name).toBe('b-1');
    expect(services.store.media.listClips(report.batch.id)[0]?.checksumState).toBe('mismatch');
  });

  it('refuses a malformed manifest, naming the field, and imports nothing', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, ['cfr30.mp4']);
    writeManifest(folder, [{ path: '../x.mp4' }]);
    const error = await importFails(services, folder);
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toMatch(/clips\[0\]\.path/);
    expect(services.store.media.listBatches()).toHaveLength(0);
  });

  it('refuses a manifest path that leads outside the folder through a link', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, []);
    cpSync(join(fixtureBatch, 'cfr30.mp4'), join(dir, 'outside.mp4'));
    symlinkSync(join(dir, 'outside.mp4'), join(folder, 'linked.mp4'));
    writeManifest(folder, [{ path: 'linked.mp4' }]);
    const error = await importFails(services, folder);
    expect(error.code).toBe('PATH_OUTSIDE_FOLDER');
    expect(error.message).toMatch(/clips\[0\]\.path/);
  });

  it('gives a link out of the folder a per-file error when there is no manifest', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, ['cfr30.mp4']);
    cpSync(join(fixtureBatch, 'vfr.mp4'), join(dir, 'outside.mp4'));
    symlinkSync(join(dir, 'outside.mp4'), join(folder, 'linked.mp4'));
    const report = await services.handlers.importBatch({ folder });
    const linked = report.files.find((f) => f.relativePath === 'linked.mp4');
    expect(linked?.status === 'error' && linked.code).toBe('PATH_OUTSIDE_FOLDER');
    expect(report.batch.clipCount).toBe(1);
  });

  it('says which manifest clip is missing from the folder', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, ['cfr30.mp4']);
    writeManifest(folder, [{ path: 'gone.mp4' }]);
    const report = await services.handlers.importBatch({ folder });
    const gone = report.files.find((f) => f.relativePath === 'gone.mp4');
    expect(gone?.status === 'error' && gone.code).toBe('FILE_MISSING');
  });

  it('explains a folder that does not exist or is a file', async () => {
    const { services, dir } = setUp();
    expect((await importFails(services, join(dir, 'nope'))).code).toBe('FOLDER_NOT_FOUND');
    writeFileSync(join(dir, 'file.txt'), 'x');
    expect((await importFails(services, join(dir, 'file.txt'))).code).toBe('NOT_A_FOLDER');
  });

  it('writes the import to the append-only audit log', async () => {
    const { services, dir } = setUp();
    const folder = copyBatch(dir, ['cfr30.mp4']);
    const report = await services.handlers.importBatch({ folder });
    const actions = services.store.audit.list({ entityId: report.batch.id }).map((a) => a.action);
    expect(actions).toContain('batch.imported');
    expect(services.store.audit.list({}).every((a) => a.actor === 'tester')).toBe(true);
  });
});
