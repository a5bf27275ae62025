import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import type { DoubleAnnotationSet } from '../../../src/shared/api/syncProtocol';
import { tempDir } from '../db/migrationHarness';

const REF = 'b'.repeat(64);
const EMPTY = { tracks: [], segments: [], contacts: [] };

const set = (setId: string, revision: number, over: Partial<DoubleAnnotationSet> = {}) =>
  ({
    setId,
    clipRef: REF,
    projectId: 'p1',
    annotator: 'ann1',
    status: 'submitted',
    revision,
    labels: EMPTY,
    updatedAt: `2026-11-2${revision}T00:00:00.000Z`,
    ...over,
  }) as DoubleAnnotationSet;

describe('the copy of double-annotated sets (store)', () => {
  it('keeps the highest revision of each set, per server, and drops what a complete pull left out', () => {
    const store = openStore(join(tempDir(), 'lead.sqlite'));
    try {
      const copies = store.doubleSets;
      expect(copies.saveFromServer('http://a', [set('s1', 2), set('s2', 1)])).toBe(2);
      // The same page again, and an older revision arriving late: nothing changes.
      expect(copies.saveFromServer('http://a', [set('s1', 2), set('s2', 1)])).toBe(0);
      expect(
        copies.saveFromServer('http://a', [set('s1', 1, { status: 'changes_requested' })]),
      ).toBe(0);
      expect(copies.saveFromServer('http://a', [set('s1', 3, { status: 'accepted' })])).toBe(1);
      expect(copies.knownRevisions('http://a')).toEqual(
        new Map([
          ['s1', 3],
          ['s2', 1],
        ]),
      );
      copies.saveFromServer('http://b', [set('t1', 1, { annotator: 'ann2' })]);
      // A complete pull from server a without s2: s2 goes, server b's copy stays.
      expect(copies.retainOnly('http://a', new Set(['s1']))).toBe(1);
      expect(copies.list().map((r) => [r.serverSetId, r.revision, r.status])).toEqual([
        ['s1', 3, 'accepted'],
        ['t1', 1, 'submitted'],
      ]);
      expect(copies.withdrawnHere(REF)).toBe(false);
    } finally {
      store.close();
    }
  });
});
