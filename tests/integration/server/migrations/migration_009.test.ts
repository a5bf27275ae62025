import { describe, expect, it } from 'vitest';
import { backends } from '../serverHarness';
import { CLIP_KEPT, databaseAt, rowCounts, seedV1, sha } from './migrationHarness';

describe.each(backends)('server migration 009 (clip delivery) on %s', (backend) => {
  it('keeps a populated version 8 database and holds ingested clips and their uploads', async () => {
    const fixture = await databaseAt(backend, 8);
    const { db } = fixture;
    await seedV1(db);
    const before = await rowCounts(db);
    expect(await fixture.migrateTo(9)).toEqual([9]);
    const after = await rowCounts(db);
    expect(after).toEqual({
      ...before,
      ingest_batches: 0,
      clip_files: 0,
      uploads: 0,
      blob_deletions: 0,
    });

    await db.exec(/* sql */ `
      INSERT INTO ingest_batches (id, project_id, name, manifest, created_by)
        VALUES ('b-1', 'p-1', 'batch-1', '{"version":1}', 'u-lead');
      INSERT INTO clip_files (clip_ref, project_id, batch_id, relative_path, original_size,
        delivered_sha256, delivered_size, container, summary, frame_count, frame_table_sha256,
        flagged_fields, ingested_by)
      VALUES ('${CLIP_KEPT}', 'p-1', 'b-1', 'a.mp4', 100, '${sha('f')}', 100, 'mp4', '{}', 30,
        '${sha('9')}', ARRAY['location'], 'u-lead');
      INSERT INTO uploads (id, user_id, batch_id, relative_path, clip_ref, size_bytes)
        VALUES ('up-1', 'u-lead', 'b-1', 'a.mp4', '${CLIP_KEPT}', 100);
    `);
    // An upload cannot acknowledge more bytes than the file has, nor name a clip by anything
    // but its sha256.
    await expect(db.query(`UPDATE uploads SET received = 101 WHERE id = 'up-1'`)).rejects.toThrow(
      /uploads_check|received/,
    );
    await expect(
      db.query(
        `INSERT INTO uploads (id, user_id, batch_id, relative_path, clip_ref, size_bytes)
         VALUES ('up-2', 'u-lead', 'b-1', 'b.mp4', 'not-a-hash', 1)`,
      ),
    ).rejects.toThrow(/clip_ref/);
  });
});
