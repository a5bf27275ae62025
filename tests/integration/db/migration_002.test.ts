import { describe, expect, it } from 'vitest';
import { encodeFrameTimes } from '../../../src/main/services/media/frameTimesBlob';
import { openStore } from '../../../src/main/services/store/openStore';
import { columnNames, databaseAt, integrityCheck, tableNames } from './migrationHarness';

const frameTimes = [0, 1 / 30, 2 / 30, 0.1];

/** A v1 database with one batch, two clips, their frame tables, an error and audit rows. */
const seedV1 = /* sql */ `
INSERT INTO batches (id, folder, name, manifest_json, manifest_batch_id, contributor, region, imported_at, updated_at)
VALUES ('b1', '/data/batch-1', 'batch-1', NULL, NULL, NULL, NULL,
        '2025-01-02T03:04:05.000Z', '2025-01-02T03:04:05.000Z');
INSERT INTO clips (id, batch_id, relative_path, file_path, size_bytes, mtime_ms, fingerprint,
  expected_sha256, sha256, checksum_state, container, codec, codec_family, width, height, rotation,
  duration_seconds, frame_count, frame_table_source, flagged_metadata, imported_at)
VALUES
  ('c1', 'b1', 'a.mp4', '/data/batch-1/a.mp4', 1000, 1735787045123.5, 'fp-1', NULL, NULL,
   'pending', 'mp4', 'hvc1.1.6.L93.B0', 'hevc', 1920, 1080, 90, 0.1333, 4, 'mp4box',
   '{"location":null,"make":null,"model":null,"creationTime":null}', '2025-01-02T03:04:06.000Z'),
  ('c2', 'b1', 'b.mp4', '/data/batch-1/b.mp4', 2000, 1735787045124.5, 'fp-2', NULL, NULL,
   'pending', 'mp4', 'avc1.64001f', 'h264', 1280, 720, 0, 0.1333, 4, 'mp4box',
   '{"location":null,"make":null,"model":null,"creationTime":null}', '2025-01-02T03:04:07.000Z');
INSERT INTO frame_tables (clip_id, frame_count, frame_times, last_frame_duration) VALUES
  ('c1', 4, X'${encodeFrameTimes(frameTimes).toString('hex')}', 0.0333),
  ('c2', 4, X'${encodeFrameTimes(frameTimes).toString('hex')}', 0.0333);
INSERT INTO file_errors (batch_id, relative_path, code, message, recorded_at)
VALUES ('b1', 'c.mp4', 'TRUNCATED', 'c.mp4 ends early.', '2025-01-02T03:04:08.000Z');
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, details)
VALUES ('2025-01-02T03:04:06.000Z', 'annotator-1', 'clip.imported', 'clip', 'c1', '{}');
`;

describe('migration 002 (proxies)', () => {
  it('adds the proxies table to a populated version 1 database and keeps every row', () => {
    const fixture = databaseAt(1, seedV1);
    fixture.migrateTo(2);

    expect(fixture.userVersion()).toBe(2);
    expect(tableNames(fixture.db)).toContain('proxies');
    expect(columnNames(fixture.db, 'proxies')).toEqual([
      'clip_id',
      'state',
      'file_path',
      'progress',
      'message',
      'frame_count',
      'updated_at',
    ]);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      expect(store.media.listBatches()).toEqual([
        expect.objectContaining({ id: 'b1', clipCount: 2, errorCount: 1 }),
      ]);
      expect(store.media.getClip('c1')).toMatchObject({ codecFamily: 'hevc', rotation: 90 });
      expect(store.media.getFrameTable('c2')?.frameTimes).toEqual(frameTimes);
      expect(store.audit.list({ entityId: 'c1' })).toHaveLength(1);
      // Migrated clips have no proxy yet.
      expect(store.media.getProxy('c1')).toBeUndefined();
      expect(store.media.listUnfinishedProxies()).toEqual([]);

      store.media.setProxyState('c1', 'queued', {}, 'annotator-1');
      store.media.setProxyState('c1', 'running', { progress: 0.5 }, 'annotator-1');
      store.media.setProxyState('c2', 'queued', {}, 'annotator-1');
      expect(store.media.listUnfinishedProxies().map((p) => [p.clipId, p.state])).toEqual([
        ['c1', 'running'],
        ['c2', 'queued'],
      ]);
      store.media.setProxyState(
        'c1',
        'ready',
        { filePath: '/data/proxies/c1.mp4', progress: 1, frameCount: 4 },
        'annotator-1',
      );
      expect(store.media.getProxy('c1')).toMatchObject({
        state: 'ready',
        filePath: '/data/proxies/c1.mp4',
        frameCount: 4,
        message: null,
      });
      // State changes are audited; the clip's import entry is still there.
      expect(
        store.audit
          .list({ entityId: 'c1' })
          .map((entry) => [entry.action, entry.details.state ?? null]),
      ).toEqual([
        ['clip.proxy', 'ready'],
        ['clip.proxy', 'running'],
        ['clip.proxy', 'queued'],
        ['clip.imported', null],
      ]);
      expect(() => store.media.setProxyState('c2', 'ready', {}, 'annotator-1')).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      expect(() => store.media.setProxyState('nope', 'queued', {}, 'annotator-1')).toThrow(
        expect.objectContaining({ code: 'CLIP_NOT_FOUND' }),
      );
    } finally {
      store.close();
    }
  });

  it.each([
    [
      'an unknown state',
      "INSERT INTO proxies (clip_id, state, updated_at) VALUES ('c1', 'maybe', 'x')",
      /CHECK/,
    ],
    [
      'a ready proxy without its file',
      "INSERT INTO proxies (clip_id, state, updated_at) VALUES ('c1', 'ready', 'x')",
      /CHECK/,
    ],
    [
      'progress above 1',
      "INSERT INTO proxies (clip_id, state, progress, updated_at) VALUES ('c1', 'running', 1.5, 'x')",
      /CHECK/,
    ],
    [
      'a proxy of a clip that does not exist',
      "INSERT INTO proxies (clip_id, state, updated_at) VALUES ('nope', 'queued', 'x')",
      /FOREIGN KEY/,
    ],
  ])('rejects %s', (_, statement, error) => {
    const fixture = databaseAt(2, seedV1);
    expect(() => fixture.db.exec(statement)).toThrow(error);
  });

  it("drops a deleted clip's proxy row with it", () => {
    const fixture = databaseAt(2, seedV1);
    fixture.db.exec(
      "INSERT INTO proxies (clip_id, state, updated_at) VALUES ('c1', 'queued', '2025-01-03T00:00:00.000Z')",
    );
    fixture.db.exec("DELETE FROM frame_tables WHERE clip_id = 'c1'");
    fixture.db.exec("DELETE FROM clips WHERE id = 'c1'");
    expect(fixture.db.prepare('SELECT count(*) FROM proxies').pluck().get()).toBe(0);
  });
});
