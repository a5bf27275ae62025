import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendAudit,
  auditEntryHash,
  verifyAudit,
  type StoredAuditEntry,
} from '../../../src/server/audit';
import { openDb, type Db } from '../../../src/server/db/Db';
import { markDoubleAnnotation } from '../../../src/server/doubleAnnotation';
import {
  addUser,
  assignClip,
  createProject,
  issueToken,
  reassign,
  revokeToken,
  withdrawConsent,
} from '../../../src/server/team';
import {
  call,
  clipRefOf,
  listenInProcess,
  openTestDb,
  pushBody,
  seedTeam,
  SERVER_BIN,
  type Backend,
  type Team,
} from './serverHarness';

type Target = { databaseUrl: string } | { dataDir: string };

/** `framewise-server <args>` as its own process, against the test's database. */
function runCli(
  target: Target,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  const full = [SERVER_BIN, ...args];
  if ('databaseUrl' in target) env.DATABASE_URL = target.databaseUrl;
  else {
    delete env.DATABASE_URL;
    full.push('--data', target.dataDir);
  }
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, full, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

async function headSeq(db: Db): Promise<number> {
  const rows = await db.query<{ seq: string | number }>('SELECT seq FROM audit_head');
  return Number(rows[0]?.seq);
}

async function entries(db: Db, after = 0): Promise<{ seq: number; action: string }[]> {
  const rows = await db.query<{ seq: string | number; action: string }>(
    'SELECT seq, action FROM audit_log WHERE seq > $1 ORDER BY seq',
    [after],
  );
  return rows.map((r) => ({ seq: Number(r.seq), action: r.action }));
}

const backends: Backend[] = ['pglite', 'postgres'];

describe.each(backends)('server audit trail on %s', (backend) => {
  let db: Db;
  let target: Target;
  let dispose: () => Promise<void>;
  let team: Team & { extraClips: string[] };
  let server: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    const opened = await openTestDb(backend);
    db = opened.db;
    target = opened.target;
    dispose = opened.dispose;
    team = await seedTeam(db, 12);
    server = await listenInProcess(db);
  });

  let serverClosed = false;
  async function closeServer(): Promise<void> {
    if (serverClosed) return;
    serverClosed = true;
    await server.close();
  }

  afterAll(async () => {
    await closeServer();
    // The CLI tests reopen PGlite after each run: close the handle they left.
    if (backend === 'pglite') await db.close();
    await dispose();
  });

  /** What one step appended: the actions of the entries after the head before it. */
  async function appendedBy(step: () => Promise<unknown>): Promise<string[]> {
    const before = await headSeq(db);
    await step();
    const added = await entries(db, before);
    expect(await headSeq(db)).toBe(before + added.length);
    return added.map((e) => e.action);
  }

  it('seeding the team recorded each user, token, project and assignment once, in a clean chain', async () => {
    const all = await entries(db);
    const count = (action: string) => all.filter((e) => e.action === action).length;
    expect(count('user.add')).toBe(6);
    expect(count('token.issue')).toBe(6);
    expect(count('project.create')).toBe(2);
    expect(count('assignment.create')).toBe(14);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(await verifyAudit(db)).toMatchObject({ ok: true, entries: all.length });
  });

  it('every mutating action appends exactly one entry; a replayed or refused request appends none', async () => {
    const { url } = server;
    const { tokens, clipA } = team;
    const push = (key: string, base: number) =>
      call(url, 'PUT', `/v1/clips/${clipA}/set`, {
        token: tokens.ann1,
        key,
        body: pushBody(base),
      });
    expect(
      await appendedBy(async () => expect((await push('audit-push-1', 0)).status).toBe(200)),
    ).toEqual(['set.push']);
    const replay = await appendedBy(async () => {
      const again = await push('audit-push-1', 0);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });
    expect(replay).toEqual([]);
    // A stale push is refused (409) and stored as such: nothing changed, nothing recorded.
    expect(
      await appendedBy(async () => expect((await push('audit-push-stale', 0)).status).toBe(409)),
    ).toEqual([]);

    const review = () =>
      call(url, 'POST', `/v1/sets/${team.setA}/review`, {
        token: tokens.rev1,
        key: 'audit-review-1',
        body: {
          verdict: 'request_changes',
          baseRevision: 1,
          reason: 'wrist drifts',
          comments: [{ id: 'audit-c1', text: 'the left wrist drifts at frame 40', frame: 40 }],
        },
      });
    expect(await appendedBy(async () => expect((await review()).status).toBe(200))).toEqual([
      'set.review',
    ]);
    expect(await appendedBy(review)).toEqual([]);

    const resolve = (key: string) =>
      call(url, 'POST', `/v1/sets/${team.setA}/comments/audit-c1/resolve`, {
        token: tokens.ann1,
        key,
      });
    expect(
      await appendedBy(async () => expect((await resolve('audit-resolve-1')).status).toBe(200)),
    ).toEqual(['comment.resolve']);
    expect(await appendedBy(() => resolve('audit-resolve-1'))).toEqual([]);
    // Resolving it again under a new key changes nothing on the server: nothing to record.
    expect(await appendedBy(() => resolve('audit-resolve-2'))).toEqual([]);

    const clipC = clipRefOf('audit-clip-c');
    let assignmentId = '';
    expect(
      await appendedBy(async () => {
        ({ assignmentId } = await assignClip(db, {
          clipRef: clipC,
          projectId: team.projectId,
          annotator: 'ann1',
          reviewer: 'rev1',
        }));
      }),
    ).toEqual(['assignment.create']);
    expect(await appendedBy(() => reassign(db, assignmentId, 'ann2'))).toEqual([
      'assignment.reassign',
    ]);
    const doubled = await appendedBy(async () => {
      const result = await markDoubleAnnotation(db, { projectId: team.projectId, share: 0.2 });
      expect(result.marked.length).toBeGreaterThan(0);
      return result;
    });
    expect(doubled.length).toBeGreaterThan(0);
    expect(new Set(doubled)).toEqual(new Set(['double.mark']));
    // Run again at the same share: nothing more to mark, nothing recorded.
    expect(
      await appendedBy(() => markDoubleAnnotation(db, { projectId: team.projectId, share: 0.2 })),
    ).toEqual([]);

    expect(await appendedBy(() => addUser(db, 'ann3', 'annotator'))).toEqual(['user.add']);
    let tokenId = '';
    expect(
      await appendedBy(async () => {
        ({ tokenId } = await issueToken(db, 'ann3'));
      }),
    ).toEqual(['token.issue']);
    expect(await appendedBy(() => revokeToken(db, tokenId))).toEqual(['token.revoke']);
    expect(await appendedBy(() => createProject(db, 'audit-p3', 'lead1'))).toEqual([
      'project.create',
    ]);
    // A refused admin action (a duplicate user) rolls its entry back with it.
    expect(await appendedBy(() => addUser(db, 'ann3', 'annotator').catch(() => null))).toEqual([]);
    expect(await appendedBy(() => withdrawConsent(db, clipC, 'asked'))).toEqual([
      'consent.withdraw',
    ]);
    expect(await appendedBy(() => withdrawConsent(db, clipC, 'asked'))).toEqual([]);

    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('refuses to update or delete an entry, and the head only moves forward', async () => {
    await expect(db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(db.query(`UPDATE audit_log SET actor = 'someone' WHERE seq = 2`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    await expect(db.query('UPDATE audit_head SET seq = seq - 1')).rejects.toThrow(
      /only moves forward/,
    );
    // Forward, but to an entry that was never written: refused too.
    await expect(db.query('UPDATE audit_head SET seq = seq + 5')).rejects.toThrow(
      /only moves forward/,
    );
    await expect(db.query('DELETE FROM audit_head')).rejects.toThrow(/append-only/);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
    // Several entries in one transaction move the head once, past all of them.
    const added = await appendedBy(() =>
      db.transaction((tx) =>
        appendAudit(tx, [
          { actor: 'test', action: 'test.a' },
          { actor: 'test', action: 'test.b' },
          { actor: 'test', action: 'test.c' },
        ]),
      ),
    );
    expect(added).toEqual(['test.a', 'test.b', 'test.c']);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('entries hold checksums, not labels: a withdrawal deletes the labels and the entries stay and verify', async () => {
    const clipRef = clipRefOf('audit-withdrawn');
    await assignClip(db, { clipRef, projectId: team.projectId, annotator: 'ann1' });
    const segment = {
      id: 'seg-1',
      startFrame: 0,
      endFrame: 9,
      verbId: null,
      nounId: null,
      actor: 'camera_wearer',
      note: 'secret-note: the kitchen of flat 4',
    };
    const labels = { tracks: [], segments: [segment], contacts: [] };
    const pushed = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
      token: team.tokens.ann1,
      key: 'audit-withdraw-push',
      body: pushBody(0, { labels }),
    });
    expect(pushed.status).toBe(200);
    const before = await db.query<{ seq: string; details: unknown }>(
      'SELECT seq, details FROM audit_log WHERE clip_ref = $1 ORDER BY seq',
      [clipRef],
    );
    expect(JSON.stringify(before)).not.toContain('secret-note');
    await withdrawConsent(db, clipRef, 'contributor asked');
    const versions = await db.query(
      `SELECT 1 FROM set_versions v JOIN annotation_sets s ON s.id = v.set_id
       JOIN assignments a ON a.id = s.assignment_id WHERE a.clip_ref = $1`,
      [clipRef],
    );
    expect(versions).toEqual([]);
    const after = await db.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE clip_ref = $1 ORDER BY seq',
      [clipRef],
    );
    expect(after.map((r) => r.action)).toEqual([
      'assignment.create',
      'set.push',
      'consent.withdraw',
    ]);
    expect(JSON.stringify(after)).not.toContain('secret-note');
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('concurrent pushes through the server keep one linear chain', async () => {
    const clips = team.extraClips.slice(1);
    const before = await headSeq(db);
    const answers = await Promise.all(
      clips.map((clipRef, i) =>
        call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
          token: team.tokens.ann1,
          key: `audit-concurrent-${i}`,
          body: pushBody(0),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(clips.map(() => 200));
    const added = await entries(db, before);
    expect(added.map((e) => e.seq)).toEqual(clips.map((_, i) => before + i + 1));
    expect(added.every((e) => e.action === 'set.push')).toBe(true);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('a lead reads their project’s trail over HTTP; nobody else does', async () => {
    const page = await call(server.url, 'GET', `/v1/audit?projectId=${team.projectId}&limit=5`, {
      token: team.tokens.lead1,
    });
    expect(page.status).toBe(200);
    const body = page.body as { entries: StoredAuditEntry[]; cursor: number };
    expect(body.entries).toHaveLength(5);
    expect(body.cursor).toBe(body.entries.at(-1)?.seq);
    for (const entry of body.entries) expect(auditEntryHash(entry)).toBe(entry.hash);
    const next = await call(
      server.url,
      'GET',
      `/v1/audit?projectId=${team.projectId}&cursor=${body.cursor}&limit=5`,
      { token: team.tokens.lead1 },
    );
    const nextEntries = (next.body as { entries: StoredAuditEntry[] }).entries;
    expect(nextEntries[0]?.seq).toBeGreaterThan(body.cursor);
    expect(
      (
        await call(server.url, 'GET', `/v1/audit?projectId=${team.projectId}`, {
          token: team.tokens.ann1,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(server.url, 'GET', `/v1/audit?projectId=${team.projectId}`, {
          token: team.tokens.lead2,
        })
      ).status,
    ).toBe(404);
  });

  describe('framewise-server audit, run as a process', () => {
    /** PGlite is one process's: the test's handle lets go while the CLI runs. */
    async function cli(args: string[]) {
      if (backend === 'pglite') await db.close();
      try {
        return await runCli(target, args);
      } finally {
        if (backend === 'pglite') db = await openDb(target);
      }
    }

    /** A change made as a superuser who switched the append-only trigger off. */
    async function tamper(sql: string): Promise<void> {
      await db.exec(`
        ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
        ${sql};
        ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
    }

    async function expectBroken(at: number, problem: string): Promise<void> {
      const run = await cli(['audit', 'verify']);
      expect(run.code, run.stderr).toBe(4);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, firstBadSeq: at, problem });
      expect(run.stderr).toContain(`broken at entry ${at}`);
    }

    /**
     * The check `audit verify` prints, run on the test's own handle: the command prints the
     * verdict whatever the problem, and its exit code and message are proven on a process above.
     * On PGlite each process run costs three database starts (the test's handle lets go, the
     * command opens, the handle opens again).
     */
    async function expectBrokenInProcess(at: number, problem: string): Promise<void> {
      expect(await verifyAudit(db)).toMatchObject({ ok: false, firstBadSeq: at, problem });
    }

    beforeAll(closeServer);

    it('passes a clean chain and catches an edited, a deleted, a reordered and a truncated entry', async () => {
      const clean = await cli(['audit', 'verify']);
      expect(clean.code, clean.stderr).toBe(0);
      const last = await headSeq(db);
      expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, entries: last, lastSeq: last });
      const middle = Math.floor(last / 2);

      await tamper(
        `UPDATE audit_log SET details = details || '{"verdict":"accept"}' WHERE seq = ${middle}`,
      );
      await expectBroken(middle, 'entry_altered');
      await tamper(`UPDATE audit_log SET details = details - 'verdict' WHERE seq = ${middle}`);

      await tamper(`CREATE TABLE audit_saved AS SELECT * FROM audit_log WHERE seq = ${middle};
        DELETE FROM audit_log WHERE seq = ${middle}`);
      await expectBrokenInProcess(middle, 'entries_missing');
      await tamper('INSERT INTO audit_log SELECT * FROM audit_saved; DROP TABLE audit_saved');

      const swap = `UPDATE audit_log SET seq = 999999999 WHERE seq = ${middle};
        UPDATE audit_log SET seq = ${middle} WHERE seq = ${middle + 1};
        UPDATE audit_log SET seq = ${middle + 1} WHERE seq = 999999999`;
      await tamper(swap);
      await expectBrokenInProcess(middle, 'link_broken');
      await tamper(swap);

      // The newest entry deleted: the chain left is whole, but the head says one is missing.
      await tamper(`CREATE TABLE audit_saved AS SELECT * FROM audit_log WHERE seq = ${last};
        DELETE FROM audit_log WHERE seq = ${last}`);
      await expectBrokenInProcess(last, 'tail_missing');
      await tamper('INSERT INTO audit_log SELECT * FROM audit_saved; DROP TABLE audit_saved');

      expect(await verifyAudit(db)).toMatchObject({ ok: true, entries: last, lastSeq: last });
    });

    it('exports a project’s trail, or one clip’s, with hashes a buyer can recompute', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fw-audit-export-'));
      try {
        const out = join(dir, 'trail.jsonl');
        const run = await cli(['audit', 'export', '--project', team.projectId, '--out', out]);
        expect(run.code, run.stderr).toBe(0);
        const summary = JSON.parse(run.stdout) as { entries: number; head: { seq: number } };
        const lines = readFileSync(out, 'utf8').trim().split('\n');
        const exported = lines.map((line) => JSON.parse(line) as StoredAuditEntry);
        expect(exported).toHaveLength(summary.entries);
        for (const entry of exported) expect(auditEntryHash(entry)).toBe(entry.hash);
        // Withdrawals name a clip, not a project: they come with the project's clips.
        for (const entry of exported) {
          expect(entry.projectId === team.projectId || entry.action === 'consent.withdraw').toBe(
            true,
          );
        }
        const actions = new Set(exported.map((e) => e.action));
        for (const action of [
          'project.create',
          'assignment.create',
          'set.push',
          'set.review',
          'comment.resolve',
          'consent.withdraw',
        ]) {
          expect(actions).toContain(action);
        }
        // Nothing of the other lead's project, nor the team's tokens.
        expect(exported.some((e) => e.clipRef === team.clipB)).toBe(false);
        expect(actions).not.toContain('token.issue');

        const clipOut = join(dir, 'clip.jsonl');
        const clipRun = await cli([
          'audit',
          'export',
          '--project',
          team.projectId,
          '--clip',
          team.clipA,
          '--out',
          clipOut,
        ]);
        expect(clipRun.code, clipRun.stderr).toBe(0);
        const clipEntries = readFileSync(clipOut, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as StoredAuditEntry);
        // Clip A may have been among those marked for double annotation.
        expect(clipEntries.map((e) => e.action).filter((a) => a !== 'double.mark')).toEqual([
          'assignment.create',
          'set.push',
          'set.review',
          'comment.resolve',
        ]);
        // An edited export no longer matches its hashes.
        const pushedEntry = clipEntries.find((e) => e.action === 'set.push');
        if (pushedEntry === undefined) throw new Error('no push entry for clip A');
        const forged = { ...pushedEntry, actor: 'someone-else' };
        expect(auditEntryHash(forged)).not.toBe(forged.hash);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
