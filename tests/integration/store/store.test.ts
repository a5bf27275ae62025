import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ProbeResult } from '../../../src/shared/api/schemas';
import { migrations } from '../../../src/main/services/db/migrations';
import { runMigrations } from '../../../src/main/services/db/migrations/runMigrations';
import { openDatabase } from '../../../src/main/services/db/openDatabase';
import { defaultDatabasePath } from '../../../src/main/services/userDataDir';
import { openStore } from '../../../src/main/services/store/openStore';
import type { NewClip } from '../../../src/main/services/media/mediaService';
import type { Store } from '../../../src/main/services/store/Store';
import { StoreError } from '../../../src/main/services/store/storeError';
import { databaseAt, integrityCheck, tempDir } from '../db/migrationHarness';

const actor = 'annotator-1';

function probe(overrides: Partial<ProbeResult> = {}): ProbeResult {
  const frameTimes = overrides.frameTimes ?? Array.from({ length: 100 }, (_, i) => i / 30);
  return {
    container: 'mp4',
    codec: 'avc1.64001f',
    codecFamily: 'h264',
    width: 1920,
    height: 1080,
    rotation: 0,
    durationSeconds: frameTimes.length / 30,
    frameCount: frameTimes.length,
    frameTableSource: 'mp4box',
    flagged: { location: '+37.7749-122.4194/', make: 'Apple', model: null, creationTime: null },
    lastFrameDurationSeconds: 1 / 30,
    ...overrides,
    frameTimes,
  };
}

function newClip(batchId: string, name: string, overrides: Partial<NewClip> = {}): NewClip {
  return {
    batchId,
    relativePath: `clips/${name}.mp4`,
    filePath: `/data/batch/clips/${name}.mp4`,
    sizeBytes: 5_000_000_000,
    mtimeMs: 1735787045123.25,
    fingerprint: `fp-${name}`,
    expectedSha256: null,
    probe: probe(),
    ...overrides,
  };
}

/** A store on a fresh file in a temp folder, closed when the test ends unless the test closed it. */
function freshStore(file = join(tempDir(), 'nested', 'framewise.sqlite')): {
  store: Store;
  file: string;
} {
  const store = openStore(file);
  let open = true;
  const close = store.close.bind(store);
  store.close = () => {
    open = false;
    close();
  };
  onTestFinished(() => {
    if (open) store.close();
  });
  return { store, file };
}

function withBatch(store: Store, folder = '/data/batch') {
  return store.media.upsertBatch({ folder, name: 'batch', manifest: null }, actor);
}

function bits(values: readonly number[]): bigint[] {
  return [...new BigUint64Array(Float64Array.from(values).buffer)];
}

function rawQuery(file: string, sql: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get();
  } finally {
    db.close();
  }
}

describe('opening the workstation database', () => {
  it('sets WAL, synchronous=FULL, foreign keys and a busy timeout on the connection', () => {
    const file = join(tempDir(), 'a', 'b', 'framewise.sqlite');
    const db = openDatabase(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    } finally {
      db.close();
    }
  });

  it('puts the database in the user data folder', () => {
    expect(defaultDatabasePath('/home/a/.config/Framewise')).toBe(
      '/home/a/.config/Framewise/framewise.sqlite',
    );
  });

  it('refuses a database from a newer Framewise and leaves it untouched', () => {
    const file = join(tempDir(), 'framewise.sqlite');
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();

    expect(() => openStore(file)).toThrow(StoreError);
    expect(() => openStore(file)).toThrow(
      new RegExp(`newer version of Framewise \\(schema 99; .* up to ${migrations.length}\\)`),
    );
    expect(() => openStore(file)).toThrow(expect.objectContaining({ code: 'DATABASE_TOO_NEW' }));
    expect(rawQuery(file, 'PRAGMA user_version')).toBe(99);
    expect(rawQuery(file, 'PRAGMA journal_mode')).toBe('delete');
  });

  it('keeps everything when the file is closed and opened again', () => {
    const { store, file } = freshStore();
    const batch = withBatch(store);
    const clip = store.media.addClip(newClip(batch.id, 'a'), actor);
    store.media.recordFileError(batch.id, {
      relativePath: 'x.mp4',
      code: 'TRUNCATED',
      message: 'cut',
    });
    store.close();

    const reopened = freshStore(file).store;
    expect(reopened.media.listBatches()).toEqual([{ ...batch, clipCount: 1, errorCount: 1 }]);
    expect(reopened.media.getClip(clip.id)).toEqual(clip);
    expect(reopened.media.getFrameTable(clip.id)?.frameTimes).toHaveLength(100);
    expect(reopened.audit.list({ entityId: clip.id })).toHaveLength(1);
  });

  it('reads but never writes or migrates when opened read-only', () => {
    const { store, file } = freshStore();
    const batch = withBatch(store);
    store.close();

    const readonly = openStore(file, { readonly: true });
    try {
      expect(readonly.media.getBatch(batch.id)?.name).toBe('batch');
      expect(() => withBatch(readonly, '/elsewhere')).toThrow(/readonly/);
    } finally {
      readonly.close();
    }
    expect(() => openStore(join(tempDir(), 'missing.sqlite'), { readonly: true })).toThrow(
      expect.objectContaining({ code: 'DATABASE_NOT_FOUND' }),
    );
  });

  it('leaves the file at the last good version when a migration fails', () => {
    const fixture = databaseAt(0);
    const broken = {
      version: migrations.length + 1,
      name: 'broken',
      up(db: Database.Database) {
        db.exec('CREATE TABLE half_done (id INTEGER)');
        throw new Error('disk full');
      },
    };
    expect(() => runMigrations(fixture.db, [...migrations, broken])).toThrow('disk full');
    expect(fixture.userVersion()).toBe(migrations.length);
    expect(
      fixture.db
        .prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'")
        .pluck()
        .get(),
    ).toBe(0);
  });

  it('passes integrity_check after a round of writes', () => {
    const { store, file } = freshStore();
    const batch = withBatch(store);
    for (const name of ['a', 'b', 'c']) store.media.addClip(newClip(batch.id, name), actor);
    store.media.recordFileError(batch.id, {
      relativePath: 'x.mp4',
      code: 'NOT_A_VIDEO',
      message: 'no',
    });
    store.close();

    const db = new Database(file);
    try {
      expect(integrityCheck(db)).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('batches', () => {
  it('finds the batch for a folder again on re-import and updates its name and manifest', () => {
    const { store } = freshStore();
    const first = withBatch(store);
    const again = store.media.upsertBatch(
      {
        folder: '/data/batch',
        name: 'B-7',
        manifest: { json: '{"batchId":"B-7"}', batchId: 'B-7', contributor: 'p-3', region: 'EU' },
      },
      actor,
    );
    expect(again).toEqual({
      ...first,
      name: 'B-7',
      manifestBatchId: 'B-7',
      contributor: 'p-3',
      region: 'EU',
    });
    expect(store.media.listBatches()).toHaveLength(1);
    expect(store.audit.list({ entityId: first.id }).map((entry) => entry.action)).toEqual([
      'batch.updated',
      'batch.created',
    ]);
  });

  it('lists the newest batch first with its clip and error counts', () => {
    const { store } = freshStore();
    const older = withBatch(store, '/data/one');
    const newer = withBatch(store, '/data/two');
    store.media.addClip(newClip(older.id, 'a'), actor);
    store.media.recordFileError(newer.id, {
      relativePath: 'x.mp4',
      code: 'EMPTY_FILE',
      message: '0 B',
    });
    expect(store.media.listBatches().map((b) => [b.id, b.clipCount, b.errorCount])).toEqual([
      [newer.id, 0, 1],
      [older.id, 1, 0],
    ]);
  });

  it('rejects a folder that is not an absolute path', () => {
    const { store } = freshStore();
    expect(() => withBatch(store, 'relative/folder')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('clips', () => {
  it('round-trips a clip and its frame table bit for bit', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    const frameTimes = [-0, 5e-324, 1 / 3, 0.1 + 0.2, 1001 / 30000, 123456.789, 1e308];
    const input = newClip(batch.id, 'a', {
      relativePath: 'kitchen/day 1/a.MOV',
      expectedSha256: 'AB'.repeat(32),
      probe: probe({ frameTimes, rotation: 270, lastFrameDurationSeconds: 1001 / 30000 }),
    });

    const clip = store.media.addClip(input, actor);

    expect(clip).toMatchObject({
      batchId: batch.id,
      fileName: 'a.MOV',
      relativePath: 'kitchen/day 1/a.MOV',
      sizeBytes: 5_000_000_000,
      sha256: null,
      checksumState: 'pending',
      rotation: 270,
      frameCount: frameTimes.length,
      flagged: input.probe.flagged,
    });
    expect(store.media.getClip(clip.id)).toEqual(clip);
    expect(store.media.getClipFilePath(clip.id)).toBe(input.filePath);
    const table = store.media.getFrameTable(clip.id);
    expect(table?.clipId).toBe(clip.id);
    expect(bits(table?.frameTimes ?? [])).toEqual(bits(frameTimes));
    expect(table?.lastFrameDurationSeconds).toBe(1001 / 30000);
    expect(store.media.listPendingChecksums()).toEqual([
      {
        clipId: clip.id,
        batchId: batch.id,
        filePath: input.filePath,
        expectedSha256: 'ab'.repeat(32),
      },
    ]);
  });

  it('stores the frame table of a 30-minute 60 fps clip and reads it back exactly', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    const frameTimes = Array.from({ length: 108_000 }, (_, i) => i / 60 + (i % 7) * 1e-9);
    const clip = store.media.addClip(
      newClip(batch.id, 'long', { probe: probe({ frameTimes }) }),
      actor,
    );
    expect(bits(store.media.getFrameTable(clip.id)?.frameTimes ?? [])).toEqual(bits(frameTimes));
  });

  it("lists a batch's clips by relative path", () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    for (const name of ['c', 'a', 'b']) store.media.addClip(newClip(batch.id, name), actor);
    expect(store.media.listClips(batch.id).map((clip) => clip.fileName)).toEqual([
      'a.mp4',
      'b.mp4',
      'c.mp4',
    ]);
  });

  it('refuses the same bytes twice and writes nothing for the second attempt', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    const first = store.media.addClip(newClip(batch.id, 'a'), actor);
    const auditRows = store.audit.list().length;

    expect(() =>
      store.media.addClip(newClip(batch.id, 'copy-of-a', { fingerprint: 'fp-a' }), actor),
    ).toThrow(expect.objectContaining({ code: 'CLIP_ALREADY_IMPORTED' }));
    expect(store.media.findClipByFingerprint('fp-a')).toEqual(first);
    expect(store.media.listClips(batch.id)).toHaveLength(1);
    expect(store.audit.list()).toHaveLength(auditRows);
  });

  it('refuses other bytes at a path already imported in the batch', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    store.media.addClip(newClip(batch.id, 'a'), actor);
    expect(() =>
      store.media.addClip(newClip(batch.id, 'a', { fingerprint: 'fp-edited' }), actor),
    ).toThrow(expect.objectContaining({ code: 'PATH_ALREADY_IMPORTED' }));
  });

  it('refuses a frame table whose length is not the probed frame count', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    const bad = probe({ frameTimes: [0, 0.5], frameCount: 3 });
    expect(() => store.media.addClip(newClip(batch.id, 'a', { probe: bad }), actor)).toThrow(
      expect.objectContaining({ code: 'FRAME_TABLE_MISMATCH' }),
    );
  });

  it('refuses a clip for a batch that does not exist', () => {
    const { store } = freshStore();
    expect(() => store.media.addClip(newClip('no-such-batch', 'a'), actor)).toThrow(/FOREIGN KEY/);
    expect(store.audit.list()).toEqual([]);
  });
});

describe('file errors', () => {
  it('keeps one error per path, the latest, until it is cleared', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    store.media.recordFileError(batch.id, {
      relativePath: 'a.mp4',
      code: 'TRUNCATED',
      message: 'first',
    });
    store.media.recordFileError(batch.id, {
      relativePath: 'a.mp4',
      code: 'UNREADABLE',
      message: 'second',
    });
    store.media.recordFileError(batch.id, {
      relativePath: 'b.mp4',
      code: 'EMPTY_FILE',
      message: 'empty',
    });
    expect(store.media.listFileErrors(batch.id)).toEqual([
      { relativePath: 'a.mp4', code: 'UNREADABLE', message: 'second' },
      { relativePath: 'b.mp4', code: 'EMPTY_FILE', message: 'empty' },
    ]);

    store.media.clearFileError(batch.id, 'b.mp4');
    expect(store.media.listFileErrors(batch.id).map((error) => error.relativePath)).toEqual([
      'a.mp4',
    ]);
  });

  it('clears the error for a path once a clip is imported from it', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    const input = newClip(batch.id, 'a');
    store.media.recordFileError(batch.id, {
      relativePath: input.relativePath,
      code: 'UNREADABLE',
      message: 'locked',
    });
    store.media.addClip(input, actor);
    expect(store.media.listFileErrors(batch.id)).toEqual([]);
    expect(store.media.getBatch(batch.id)?.errorCount).toBe(0);
  });
});

describe('checksums', () => {
  it('records a verdict, leaves the pending list and audits it', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    const a = store.media.addClip(newClip(batch.id, 'a'), actor);
    const b = store.media.addClip(newClip(batch.id, 'b'), actor);

    store.media.setChecksum(a.id, 'mismatch', 'CD'.repeat(32), 'checksum-worker');

    expect(store.media.getClip(a.id)).toMatchObject({
      checksumState: 'mismatch',
      sha256: 'cd'.repeat(32),
    });
    expect(store.media.listPendingChecksums().map((pending) => pending.clipId)).toEqual([b.id]);
    expect(store.audit.list({ entityId: a.id, limit: 1 })).toEqual([
      expect.objectContaining({
        actor: 'checksum-worker',
        action: 'clip.checksum',
        details: { state: 'mismatch', sha256: 'cd'.repeat(32) },
      }),
    ]);
  });

  it('refuses a verdict without a hash and an unknown clip', () => {
    const { store } = freshStore();
    const batch = withBatch(store);
    const clip = store.media.addClip(newClip(batch.id, 'a'), actor);
    expect(() => store.media.setChecksum(clip.id, 'done', null, actor)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => store.media.setChecksum('nope', 'error', null, actor)).toThrow(
      expect.objectContaining({ code: 'CLIP_NOT_FOUND' }),
    );
    store.media.setChecksum(clip.id, 'error', null, actor);
    expect(store.media.getClip(clip.id)?.checksumState).toBe('error');
  });
});

describe('audit log', () => {
  it('lists entries newest first, filtered by entity and limited', () => {
    const { store } = freshStore();
    for (const [entityId, n] of [
      ['x', 1],
      ['y', 2],
      ['x', 3],
    ] as const) {
      store.audit.record({ actor, action: 'test', entityType: 'thing', entityId, details: { n } });
    }
    const records = store.audit.list({ entityId: 'x' });
    expect(records.map((record) => record.details)).toEqual([{ n: 3 }, { n: 1 }]);
    expect(records[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(store.audit.list({ limit: 2 }).map((record) => record.details)).toEqual([
      { n: 3 },
      { n: 2 },
    ]);
  });

  it('cannot be updated or deleted, even with SQL', () => {
    const { store, file } = freshStore();
    store.audit.record({ actor, action: 'test', entityType: 'thing', entityId: 'x', details: {} });
    const db = new Database(file);
    try {
      expect(() => db.exec("UPDATE audit_log SET actor = 'mallory'")).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM audit_log')).toThrow(/append-only/);
    } finally {
      db.close();
    }
    expect(store.audit.list()).toEqual([expect.objectContaining({ actor })]);
  });
});
