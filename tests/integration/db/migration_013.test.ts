import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { columnNames, databaseAt, integrityCheck } from './migrationHarness';

describe('migration 013 (face regions and blur review)', () => {
  it('adds the face tables to a populated version 12 database; faces stores, links and purges rows', () => {
    const fixture = databaseAt(12, seedV3());
    const clipsBefore = fixture.db.prepare('SELECT id FROM clips ORDER BY id').all();
    fixture.migrateTo(13);
    expect(fixture.userVersion()).toBe(13);
    expect(fixture.db.prepare('SELECT id FROM clips ORDER BY id').all()).toEqual(clipsBefore);
    expect(columnNames(fixture.db, 'face_scans')).toEqual(
      expect.arrayContaining(['clip_id', 'frames_done', 'review_status']),
    );
    const clipId = (clipsBefore[0] as { id: string }).id;
    // A review status other than the two is refused by the table itself.
    expect(() =>
      fixture.db.exec(`INSERT INTO face_scans (clip_id, model, frame_count, status, review_status,
        updated_at) VALUES ('${clipId}', 'm', 3, 'scanned', 'approved', 'x')`),
    ).toThrow(/CHECK/);
    // Face rows name a real clip.
    expect(() =>
      fixture.db.exec(`INSERT INTO face_detections (clip_id, frame, boxes_json)
        VALUES ('no-such-clip', 0, '[]')`),
    ).toThrow(/FOREIGN KEY/);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      const face = (x: number) => ({ x, y: 10, width: 20, height: 20, score: 0.9 });
      expect(store.faces.beginScan(clipId, 'ssd', 3, 't0')).toEqual(new Set());
      store.faces.saveFrame(clipId, 0, [face(10)], 't1');
      // Stopped after one frame: the next scan with the same model resumes after it.
      store.faces.endScan(clipId, 'cancelled', 't2');
      expect(store.faces.beginScan(clipId, 'ssd', 3, 't3')).toEqual(new Set([0]));
      store.faces.saveFrame(clipId, 1, [face(12)], 't4');
      store.faces.saveFrame(clipId, 2, [face(14)], 't5');
      store.faces.endScan(clipId, 'scanned', 't6');
      expect(store.faces.scanOf(clipId)).toMatchObject({ framesDone: 3, status: 'scanned' });
      expect(store.faces.tracksOf(clipId).map((t) => t.boxes.map((b) => b.frame))).toEqual([
        [0, 1, 2],
      ]);
      expect(store.faces.setReviewStatus(clipId, 'reviewed', 'rev', 't7')).toBe(true);
      expect(store.faces.scanOf(clipId)).toMatchObject({
        reviewStatus: 'reviewed',
        reviewedBy: 'rev',
      });
      const purged = store.db.write((tx) =>
        store.faces.purgeClip(tx, { clipId, sha256: null, setIds: [], serverSetIds: [], at: 't8' }),
      );
      expect(purged).toBe(5);
      expect(store.faces.scanOf(clipId)).toBeNull();
      expect(store.faces.tracksOf(clipId)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
