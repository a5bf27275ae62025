import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import type { Command } from '../../../src/shared/domain/labels';
import { seedV3 } from '../store/labelsSeed';
import { columnNames, databaseAt, integrityCheck, tableNames } from './migrationHarness';

describe('migration 004 (edit ids, workspaces)', () => {
  it('keeps the logged edits of a version 3 database and adds edit ids and workspaces', () => {
    const fixture = databaseAt(3, seedV3());
    fixture.migrateTo(4);
    expect(fixture.userVersion()).toBe(4);
    expect(columnNames(fixture.db, 'label_commands')).toContain('edit_id');
    expect(tableNames(fixture.db)).toContain('workspaces');
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      // The old edit (no id) replays as before.
      expect(store.labels.loadLabels('s1')).toMatchObject({
        seq: 1,
        doc: { tracks: [{ id: 'p1' }] },
      });
      const keyframe: Command = {
        type: 'setKeyframe',
        trackId: 'p1',
        keyframe: { frame: 2, points: Array.from({ length: 17 }, () => null) },
      };
      const editId = randomUUID();
      expect(store.labels.applyLabelEdit('s1', keyframe, 1, 'annotator-1', editId).seq).toBe(2);
      // The same edit sent again (its answer was lost) is recognised, not refused as stale.
      expect(store.labels.applyLabelEdit('s1', keyframe, 1, 'annotator-1', editId).seq).toBe(2);
      expect(store.labels.loadLabels('s1').seq).toBe(2);
      // Without its id, the repeat is an ordinary stale edit.
      expect(() => store.labels.applyLabelEdit('s1', keyframe, 1, 'annotator-1')).toThrow(
        expect.objectContaining({ code: 'STALE_EDIT' }),
      );

      expect(store.labels.getWorkspace('annotator-1')).toBeNull();
      const workspace = {
        batchId: 'b1',
        clipId: 'c1',
        frame: 3,
        zoom: 2.5,
        panX: -40,
        panY: 12,
        selectedTrackId: 'p1',
      };
      store.labels.saveWorkspace('annotator-1', workspace);
      store.labels.saveWorkspace('annotator-2', { ...workspace, frame: 0 });
      expect(store.labels.getWorkspace('annotator-1')).toEqual(workspace);
      expect(store.labels.getWorkspace('annotator-2')?.frame).toBe(0);
    } finally {
      store.close();
    }
  });

  it('refuses a second edit with the same id in one set', () => {
    const fixture = databaseAt(4, seedV3());
    expect(() =>
      fixture.db.exec(/* sql */ `
        INSERT INTO label_commands (set_id, seq, actor, at, command_json, inverse_json, edit_id)
        VALUES ('s1', 2, 'a', 'x', '{}', '{}', 'e1'), ('s1', 3, 'a', 'x', '{}', '{}', 'e1');`),
    ).toThrow(/UNIQUE/);
    fixture.close();
  });
});
