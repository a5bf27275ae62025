import { describe, expect, it } from 'vitest';
import { encodeFrameTimes } from '../../../src/main/services/media/frameTimesBlob';
import { openStore } from '../../../src/main/services/store/openStore';
import { columnNames, databaseAt, integrityCheck, tableNames } from './migrationHarness';

const frameTimes = [0, 1 / 30, 2 / 30, 0.1 + 0.2];
const sha = 'ab'.repeat(32);

/** Rows as a v1 database holds them, written by hand so they do not depend on today's store. */
const seedV1 = /* sql */ `
INSERT INTO batches (id, folder, name, manifest_json, manifest_batch_id, contributor, region, imported_at, updated_at)
VALUES ('b1', '/data/batch-1', 'batch-1', '{"batchId":"B-1"}', 'B-1', 'p-17', 'EU',
        '2025-01-02T03:04:05.000Z', '2025-01-02T03:04:05.000Z');
INSERT INTO clips (id, batch_id, relative_path, file_path, size_bytes, mtime_ms, fingerprint,
  expected_sha256, sha256, checksum_state, container, codec, codec_family, width, height, rotation,
  duration_seconds, frame_count, frame_table_source, flagged_metadata, imported_at)
VALUES ('c1', 'b1', 'kitchen/a.mp4', '/data/batch-1/kitchen/a.mp4', 1048576, 1735787045123.5, 'fp-1',
  '${sha}', '${sha}', 'done', 'mp4', 'avc1.64001f', 'h264', 1920, 1080, 90, 0.1333, 4, 'mp4box',
  '{"location":"+37.7749-122.4194/","make":"Apple","model":"iPhone 15","creationTime":null}',
  '2025-01-02T03:04:06.000Z');
INSERT INTO frame_tables (clip_id, frame_count, frame_times, last_frame_duration)
VALUES ('c1', 4, X'${encodeFrameTimes(frameTimes).toString('hex')}', 0.0333);
INSERT INTO file_errors (batch_id, relative_path, code, message, recorded_at)
VALUES ('b1', 'kitchen/b.mp4', 'TRUNCATED', 'kitchen/b.mp4 ends early.', '2025-01-02T03:04:07.000Z');
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, details)
VALUES ('2025-01-02T03:04:06.000Z', 'annotator-1', 'clip.imported', 'clip', 'c1', '{"relativePath":"kitchen/a.mp4"}');
`;

describe('migration 001 (initial)', () => {
  it('brings an empty database to version 1 with every table', () => {
    const fixture = databaseAt(0);
    fixture.migrateTo(1);

    expect(fixture.userVersion()).toBe(1);
    expect(tableNames(fixture.db)).toEqual([
      'audit_log',
      'batches',
      'clips',
      'file_errors',
      'frame_tables',
    ]);
    expect(columnNames(fixture.db, 'clips')).toEqual(
      expect.arrayContaining([
        'codec',
        'codec_family',
        'width',
        'height',
        'rotation',
        'duration_seconds',
        'frame_count',
        'frame_table_source',
        'container',
        'flagged_metadata',
      ]),
    );
    expect(integrityCheck(fixture.db)).toBe('ok');
  });

  it('keeps a populated version 1 database readable when it is opened again', () => {
    const fixture = databaseAt(1, seedV1);
    fixture.close();

    const store = openStore(fixture.file);
    try {
      expect(store.media.listBatches()).toEqual([
        expect.objectContaining({ id: 'b1', manifestBatchId: 'B-1', clipCount: 1, errorCount: 1 }),
      ]);
      expect(store.media.getClip('c1')).toMatchObject({
        fileName: 'a.mp4',
        rotation: 90,
        checksumState: 'done',
        flagged: { make: 'Apple', creationTime: null },
      });
      expect(store.media.getFrameTable('c1')?.frameTimes).toEqual(frameTimes);
      expect(store.media.listFileErrors('b1')).toEqual([
        { relativePath: 'kitchen/b.mp4', code: 'TRUNCATED', message: 'kitchen/b.mp4 ends early.' },
      ]);
      expect(store.audit.list({ entityId: 'c1' })).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it.each([
    ['a rotation that is not a quarter turn', 'UPDATE clips SET rotation = 45', /CHECK/],
    ['an unknown checksum state', "UPDATE clips SET checksum_state = 'maybe'", /CHECK/],
    ['a verdict without its hash', 'UPDATE clips SET sha256 = NULL', /CHECK/],
    ['a frame table blob of the wrong length', 'UPDATE frame_tables SET frame_count = 5', /CHECK/],
    ['a clip in a batch that does not exist', "UPDATE clips SET batch_id = 'nope'", /FOREIGN KEY/],
    ['deleting a batch that still has clips', 'DELETE FROM batches', /FOREIGN KEY/],
    ['rewriting the audit log', "UPDATE audit_log SET actor = 'someone-else'", /append-only/],
    ['erasing the audit log', 'DELETE FROM audit_log', /append-only/],
  ])('rejects %s', (_, statement, error) => {
    const fixture = databaseAt(1, seedV1);
    expect(() => fixture.db.exec(statement)).toThrow(error);
  });

  it("drops a deleted clip's frame table with it", () => {
    const fixture = databaseAt(1, seedV1);
    fixture.db.exec("DELETE FROM clips WHERE id = 'c1'");
    expect(fixture.db.prepare('SELECT count(*) FROM frame_tables').pluck().get()).toBe(0);
  });
});
