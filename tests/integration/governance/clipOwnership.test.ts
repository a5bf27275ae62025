import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { KEPT_AFTER_WITHDRAWAL } from '../../../src/main/services/governance/withdrawConsent';
import { openStore } from '../../../src/main/services/store/openStore';
import type { Store } from '../../../src/main/services/store/Store';
import { clipRefOf } from '../server/serverHarness';
import { clipIdOf, seedWorkstation } from '../sync/workstationSeed';
import { rowsOfClip, tablesWithClipColumns, type ClipKeys } from './clipRows';

/** Written and emptied inside the purge's own transaction: never holds a row between two. */
const TRANSIENT = new Set(['purge_in_progress']);

const dir = mkdtempSync(join(tmpdir(), 'fw-clip-owners-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function ownersOf(store: Store): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const [module, owner] of Object.entries(store.clipOwners)) {
    for (const table of owner.clipTables) owners.set(table, [...(owners.get(table) ?? []), module]);
  }
  for (const table of Object.keys(KEPT_AFTER_WITHDRAWAL)) {
    owners.set(table, [...(owners.get(table) ?? []), 'governance (kept)']);
  }
  return owners;
}

/** One row in every table that can hold data about the clip, as sync, review and media write them. */
function plant(store: Store, clipRef: string, setId: string): ClipKeys {
  const clipId = clipIdOf(clipRef);
  const serverSetId = `srv-${clipRef.slice(0, 8)}`;
  const db = store.db.connection;
  const run = (sql: string, ...params: (string | number)[]) => db.prepare(sql).run(...params);
  run(
    `INSERT INTO label_commands (set_id, seq, actor, at, command_json, inverse_json)
     VALUES (?, 99, 'ann', 'x', '{"type":"planted"}', '{}')`,
    setId,
  );
  run(
    `INSERT INTO sync_sets (set_id, server_set_id, server_revision, server_status, updated_at)
     VALUES (?, ?, 1, 'submitted', 'x')`,
    setId,
    serverSetId,
  );
  run(
    `INSERT INTO sync_conflicts (outbox_id, set_id, code, message, local_json, recorded_at)
     VALUES ('o', ?, 'REVISION_CONFLICT', 'm', '{}', 'x')`,
    setId,
  );
  run(
    `INSERT INTO sync_inbox (event_key, kind, clip_ref, payload_json, received_at)
     VALUES (?, 'review', ?, '{"comments":[{"text":"planted"}]}', 'x')`,
    `srv#${clipRef.slice(0, 8)}`,
    clipRef,
  );
  run(
    `INSERT INTO review_queue (server_set_id, clip_ref, project_id, annotator, revision, status,
       labels_json, submitted_at, model_share, pulled_at)
     VALUES (?, ?, 'default', 'ann', 1, 'submitted', '{}', 'x', 0, 'x')`,
    serverSetId,
    clipRef,
  );
  run(
    `INSERT INTO review_comments (id, server_set_id, revision, author, at, pin_json, text)
     VALUES (?, ?, 1, 'rev', 'x', '{}', 'planted comment')`,
    `c-${clipRef.slice(0, 8)}`,
    serverSetId,
  );
  run(
    `INSERT INTO review_outbox (id, kind, server_set_id, payload_json, created_at)
     VALUES (?, 'verdict', ?, '{}', 'x')`,
    `v-${clipRef.slice(0, 8)}`,
    serverSetId,
  );
  run(
    `INSERT INTO reviewed_revisions (server_set_id, reviewer, revision, verdict, labels_json,
       reviewed_at) VALUES (?, 'rev', 1, 'request_changes', '{}', 'x')`,
    serverSetId,
  );
  run('INSERT INTO review_sets (server_set_id, clip_ref) VALUES (?, ?)', serverSetId, clipRef);
  run(
    `INSERT INTO double_annotation_sets (server_set_id, server, clip_ref, project_id, annotator,
       status, revision, labels_json, updated_at, pulled_at)
     VALUES (?, 'http://server', ?, 'default', 'other', 'submitted', 1, '{}', 'x', 'x')`,
    `dbl-${clipRef.slice(0, 8)}`,
    clipRef,
  );
  run(
    `INSERT INTO sync_team_sets (server_set_id, server, clip_ref, project_id, annotator,
       reviewers_json, status, revision, labels_json, project_json, change_seq, updated_at,
       pulled_at)
     VALUES (?, 'http://server', ?, 'p', 'other', '["rev"]', 'accepted', 2, '{}', NULL, 1, 'x', 'x')`,
    `team-${clipRef.slice(0, 8)}`,
    clipRef,
  );
  run(
    `INSERT INTO proxies (clip_id, state, file_path, progress, frame_count, updated_at)
     VALUES (?, 'ready', ?, 1, 3, 'x')`,
    clipId,
    join(dir, `${clipId}.mp4`),
  );
  store.faces.beginScan(clipId, 'planted-model', 3, 'x');
  store.faces.saveFrame(clipId, 0, [{ x: 1, y: 2, width: 3, height: 4, score: 0.9 }], 'x');
  store.faces.endScan(clipId, 'scanned', 'x');
  store.labels.saveWorkspace(`ann-${clipRef.slice(0, 4)}`, {
    batchId: 'sync-batch',
    clipId,
    frame: 1,
    zoom: 1,
    panX: 0,
    panY: 0,
    selectedTrackId: null,
  });
  return { clipId, sha256: clipRef, setIds: [setId], serverSetIds: [serverSetId] };
}

describe('every table that keeps data about a clip has an owner that purges it', () => {
  it('names exactly one owner module for each table with a clip_id, set_id, clip_ref or server_set_id column', () => {
    const store = openStore(join(dir, 'owners.sqlite'));
    try {
      const owners = ownersOf(store);
      const tables = [...tablesWithClipColumns(store.db.connection).keys()];
      const unowned = tables.filter((table) => !owners.has(table));
      expect(unowned, 'tables without an owner').toEqual([]);
      const shared = [...owners].filter(([, modules]) => modules.length > 1);
      expect(shared, 'tables with two owners').toEqual([]);
      const missing = [...owners.keys()].filter((table) => !tables.includes(table));
      expect(missing, 'owned tables that do not exist').toEqual([]);
    } finally {
      store.close();
    }
  });

  it('leaves no row for a withdrawn clip in any of them, and every row of another clip', async () => {
    const file = join(dir, 'purge.sqlite');
    const gone = clipRefOf('ownership-withdrawn');
    const other = clipRefOf('ownership-kept');
    const sets = seedWorkstation(file, [gone, other], 'ann');
    const store = openStore(file);
    let goneKeys: ClipKeys;
    let otherKeys: ClipKeys;
    try {
      goneKeys = plant(store, gone, sets.get(gone) ?? '');
      otherKeys = plant(store, other, sets.get(other) ?? '');
      const before = rowsOfClip(store.db.connection, goneKeys);
      const owned = [...ownersOf(store).keys()].filter(
        (table) => !TRANSIENT.has(table) && !(table in KEPT_AFTER_WITHDRAWAL),
      );
      // A table this test does not fill would pass below without proving anything.
      expect(
        owned.filter((table) => !(table in before)),
        'tables the test left empty',
      ).toEqual([]);
    } finally {
      store.close();
    }
    const otherBefore = (() => {
      const db = new Database(file, { readonly: true });
      try {
        return rowsOfClip(db, otherKeys);
      } finally {
        db.close();
      }
    })();

    const services = createServices({ databasePath: file, actor: 'lead' });
    try {
      services.sync.stop();
      const outcome = await services.governance.withdrawConsent({
        clipRef: gone,
        source: 'server',
        reason: 'contributor asked',
      });
      expect(outcome.clips).toEqual([expect.objectContaining({ clipId: clipIdOf(gone) })]);
      expect(outcome.pulledSets).toBe(1);
      expect(services.store.labels.getWorkspace(`ann-${gone.slice(0, 4)}`)).toBeNull();
      expect(services.store.labels.getWorkspace(`ann-${other.slice(0, 4)}`)).not.toBeNull();
    } finally {
      services.close();
    }

    const db = new Database(file, { readonly: true });
    try {
      const left = rowsOfClip(db, goneKeys);
      for (const table of Object.keys(KEPT_AFTER_WITHDRAWAL)) Reflect.deleteProperty(left, table);
      expect(left, 'rows left for the withdrawn clip').toEqual({});
      expect(rowsOfClip(db, otherKeys), 'rows of the other clip').toEqual(otherBefore);
    } finally {
      db.close();
    }
  });
});
