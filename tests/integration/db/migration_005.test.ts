import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { placedPose, seedV3 } from '../store/labelsSeed';
import { databaseAt, integrityCheck, tableNames } from './migrationHarness';

describe('migration 005 (sync outbox)', () => {
  it('adds the sync tables to a version 4 database and keeps its sets', () => {
    const fixture = databaseAt(4, seedV3());
    fixture.migrateTo(5);
    expect(fixture.userVersion()).toBe(5);
    expect(tableNames(fixture.db)).toEqual(
      expect.arrayContaining([
        'sync_outbox',
        'sync_sets',
        'sync_conflicts',
        'sync_inbox',
        'sync_state',
      ]),
    );
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      expect(store.labels.loadLabels('s1').seq).toBe(1);
      expect(store.sync.pendingCount()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('queues a submitted set in the same transaction, and nothing for a refused submit', () => {
    const fixture = databaseAt(5, seedV3());
    fixture.close();
    const store = openStore(fixture.file);
    try {
      store.labels.applyLabelEdit('s1', placedPose, 1, 'annotator-1');
      expect(store.labels.submitAnnotationSet('s1', 'annotator-1').submitted).toBe(true);
      const [item] = store.sync.pending(10);
      expect(item).toMatchObject({
        setId: 's1',
        kind: 'submit_set',
        attempts: 0,
        baseRevision: null,
        // The clip has no checksum yet: the row waits for one before it can name the clip.
        clipRef: null,
        payload: { localRevision: 1, seq: 2 },
      });
      expect(item?.payload.labels.tracks[0]?.keyframes).toHaveLength(1);
      expect(item?.id).toMatch(/^[0-9a-f-]{36}$/);
      // A second submit is refused by the status check and queues nothing more.
      expect(() => store.labels.submitAnnotationSet('s1', 'annotator-1')).toThrow();
      expect(store.sync.pendingCount()).toBe(1);
    } finally {
      store.close();
    }
  });

  it('rolls the status change back when the outbox row cannot be written', () => {
    const fixture = databaseAt(5, seedV3());
    // A trigger standing in for a failure inside the submit's transaction (disk full, say).
    fixture.db.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON sync_outbox
      BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END;`);
    fixture.close();
    const store = openStore(fixture.file);
    try {
      store.labels.applyLabelEdit('s1', placedPose, 1, 'annotator-1');
      expect(() => store.labels.submitAnnotationSet('s1', 'annotator-1')).toThrow(
        /outbox unavailable/,
      );
      expect(store.labels.getAnnotationSet('s1')).toMatchObject({
        status: 'in_progress',
        revision: 0,
      });
    } finally {
      store.close();
    }
  });
});
