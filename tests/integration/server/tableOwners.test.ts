import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../../../src/server/consentRecords';
import type { Db } from '../../../src/server/db/Db';
import { markDoubleAnnotation } from '../../../src/server/doubleAnnotation';
import { serverTableOwners } from '../../../src/server/tableOwners';
import { assignClip, createProject, withdrawConsent } from '../../../src/server/team';
import { allRowsAsText } from './migrations/migrationHarness';
import {
  backends,
  call,
  clipRefOf,
  pushBody,
  startTeamServer,
  type Team,
  type TeamServer,
} from './serverHarness';

/** Columns that name a clip, a set or an assignment (and so, through it, a clip). */
const REFERENCE = /(^|_)(clip_ref|clip_sha256|clip_id|set_id|server_set_id|assignment_id)$/;
const kindOf = (column: string): 'clip' | 'set' | 'assignment' =>
  /clip/.test(column) ? 'clip' : /assignment/.test(column) ? 'assignment' : 'set';

/** Values planted in everything the clip's people wrote, searched for in every row afterwards. */
const PLANTED = {
  labels: 'planted-label-kitchen-of-flat-4',
  resubmitted: 'planted-label-revision-2',
  secondAnnotator: 'planted-label-second-annotator',
  comment: 'planted-comment-face-at-frame-3',
  reason: 'planted-reason-redo-the-hands',
};

const labelsWith = (note: string) => ({
  tracks: [],
  segments: [
    {
      id: 'seg-1',
      startFrame: 0,
      endFrame: 9,
      verbId: null,
      nounId: null,
      actor: 'camera_wearer',
      note,
    },
  ],
  contacts: [],
});

describe.each(backends)("the server's tables and their owners (%s)", (backend) => {
  let server: TeamServer;
  let db: Db;
  let team: Team;
  const clipRef = clipRefOf('owners-withdrawn-clip');
  const keptClip = clipRefOf('owners-kept-clip');

  beforeAll(async () => {
    server = await startTeamServer([], undefined, backend);
    ({ db, team } = server);
    // Its own project, so marking every clip for double annotation marks these two only.
    const { projectId } = await createProject(db, 'owners', 'lead1');
    for (const ref of [clipRef, keptClip]) {
      await assignClip(db, { clipRef: ref, projectId, annotator: 'ann1', reviewer: 'rev1' });
      await recordConsent(
        db,
        ref,
        { id: `consent-${ref.slice(0, 6)}`, scope: ['training'], grantedAt: '2026-01-01' },
        'lead1',
      );
    }
    await markDoubleAnnotation(db, { projectId, share: 1, annotators: ['ann2'] });
    // The clip's file on the server (#18), as an ingest and an unfinished upload leave it.
    await db.query(
      `INSERT INTO ingest_batches (id, project_id, name, manifest, created_by)
       VALUES ('owners-batch', $1, 'owners', '{}', 'lead1')`,
      [projectId],
    );
    await db.query(
      `INSERT INTO clip_files (clip_ref, project_id, batch_id, relative_path, original_size,
         delivered_sha256, delivered_size, container, summary, frame_count, frame_table_sha256,
         flagged_fields, ingested_by)
       VALUES ($1, $2, 'owners-batch', 'a.mp4', 10, $3, 10, 'mp4', '{}', 1, $3, '{}', 'lead1')`,
      [clipRef, projectId, keptClip.replace(/./, 'f')],
    );
    const lead = await db.query<{ id: string }>(`SELECT id FROM users WHERE name = 'lead1'`);
    await db.query(
      `INSERT INTO uploads (id, user_id, batch_id, relative_path, clip_ref, size_bytes)
       VALUES ('owners-upload', $1, 'owners-batch', 'b.mp4', $2, 10)`,
      [lead[0]?.id, clipRef],
    );
    const push = (token: string, ref: string, key: string, base: number, note: string) =>
      call(server.url, 'PUT', `/v1/clips/${ref}/set`, {
        token,
        key: `owners-${key}`,
        body: pushBody(base, { labels: labelsWith(note) }),
      });
    expect((await push(team.tokens.ann1, clipRef, 'own-1', 0, PLANTED.labels)).status).toBe(200);
    expect((await push(team.tokens.ann1, keptClip, 'own-k', 0, 'kept labels')).status).toBe(200);
    expect(
      (await push(team.tokens.ann2, clipRef, 'own-2', 0, PLANTED.secondAnnotator)).status,
    ).toBe(200);
    // A stale push: its stored refusal quotes the server's copy, labels and all.
    expect((await push(team.tokens.ann1, clipRef, 'own-stale', 0, 'stale')).status).toBe(409);
    const setId = (
      await db.query<{ id: string }>(
        `SELECT s.id FROM annotation_sets s JOIN assignments a ON a.id = s.assignment_id
         JOIN users u ON u.id = a.annotator_id WHERE a.clip_ref = $1 AND u.name = 'ann1'`,
        [clipRef],
      )
    )[0]?.id;
    const review = await call(server.url, 'POST', `/v1/sets/${setId ?? ''}/review`, {
      token: team.tokens.rev1,
      key: 'owners-review',
      body: {
        verdict: 'request_changes',
        baseRevision: 1,
        reason: PLANTED.reason,
        comments: [{ id: 'c-owners', text: PLANTED.comment, frame: 3 }],
      },
    });
    expect(review.status).toBe(200);
    const resolve = await call(
      server.url,
      'POST',
      `/v1/sets/${setId ?? ''}/comments/c-owners/resolve`,
      { token: team.tokens.ann1, key: 'owners-resolve' },
    );
    expect(resolve.status).toBe(200);
    expect((await push(team.tokens.ann1, clipRef, 'own-3', 2, PLANTED.resubmitted)).status).toBe(
      200,
    );
  });

  afterAll(() => server.close());

  const columns = async () =>
    db.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name, c.ordinal_position`,
    );

  it('names an owner for every table, and a withdrawal rule for every table naming clips or sets', async () => {
    const byTable = new Map<string, string[]>();
    for (const { table_name: table, column_name: column } of await columns()) {
      byTable.set(table, [...(byTable.get(table) ?? []), column]);
    }
    expect([...byTable.keys()].sort()).toEqual(Object.keys(serverTableOwners).sort());
    for (const [table, tableColumns] of byTable) {
      const owner = serverTableOwners[table];
      const references = tableColumns.filter((c) => REFERENCE.test(c));
      if (references.length > 0)
        expect({ table, rule: owner?.onWithdrawal }).not.toMatchObject({
          rule: 'unrelated',
        });
      // A kept table holds exactly the id-only columns declared: a new column needs a look.
      if (owner?.onWithdrawal === 'kept')
        expect({ table, tableColumns }).toEqual({
          table,
          tableColumns: owner.columns,
        });
    }
  });

  it('leaves no row about a withdrawn clip but its tombstones and audit entries, and none of its text', async () => {
    const sets = await db.query<{ id: string; assignment_id: string }>(
      `SELECT s.id, s.assignment_id FROM annotation_sets s
       JOIN assignments a ON a.id = s.assignment_id WHERE a.clip_ref = $1`,
      [clipRef],
    );
    expect(sets).toHaveLength(2);
    const ids = {
      clip: [clipRef],
      set: sets.map((s) => s.id),
      assignment: sets.map((s) => s.assignment_id),
    };
    const rowsAbout = async (table: string, column: string) =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE ${column} = ANY($1::text[])`,
          [ids[kindOf(column)]],
        )
      )[0]?.n ?? 0;
    const referencing = (await columns()).filter((c) => REFERENCE.test(c.column_name));
    const before = new Map<string, number>();
    for (const { table_name: table, column_name: column } of referencing) {
      before.set(`${table}.${column}`, await rowsAbout(table, column));
    }
    // The scenario reached every table that names a clip or a set (else this proves little).
    for (const table of Object.keys(serverTableOwners)) {
      const owner = serverTableOwners[table];
      const refs = referencing.filter((c) => c.table_name === table);
      if (owner?.onWithdrawal !== 'purged' || refs.length === 0) continue;
      expect({
        table,
        rows: refs.some((c) => (before.get(`${table}.${c.column_name}`) ?? 0) > 0),
      }).toEqual({ table, rows: true });
    }
    const textBefore = await allRowsAsText(db);
    for (const value of Object.values(PLANTED)) expect(textBefore).toContain(value);

    await withdrawConsent(db, clipRef, 'contributor asked');

    for (const { table_name: table, column_name: column } of referencing) {
      if (serverTableOwners[table]?.onWithdrawal === 'kept') continue;
      expect({ table, column, rows: await rowsAbout(table, column) }).toEqual({
        table,
        column,
        rows: 0,
      });
    }
    // No table holds what the clip's people wrote: not events, stored answers, nor the audit log.
    const textAfter = await allRowsAsText(db);
    for (const value of Object.values(PLANTED)) expect(textAfter).not.toContain(value);
    // Events left about the clip are notices of ids and dates, ending with the withdrawal.
    const events = await db.query<{ kind: string }>(
      `SELECT kind FROM events WHERE payload ->> 'clipRef' = $1 ORDER BY id`,
      [clipRef],
    );
    expect(new Set(events.map((e) => e.kind))).toEqual(
      new Set(['assigned', 'consent_recorded', 'consent_withdrawn']),
    );
    expect(events.at(-1)?.kind).toBe('consent_withdrawn');
    // The other clip of the same people and project keeps everything.
    expect(textAfter).toContain('kept labels');
    expect(
      await db.query('SELECT 1 FROM consent_records WHERE clip_ref = $1', [keptClip]),
    ).toHaveLength(1);
  });
});
