import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, clipRefOf, SERVER_BIN, spawnServer } from './serverHarness';

function run(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; json: unknown; stderr: string }> {
  const env = { ...process.env, ...extraEnv };
  delete env.DATABASE_URL;
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [SERVER_BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      let json: unknown = null;
      try {
        json = stdout.trim() === '' ? null : JSON.parse(stdout);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        json = stdout;
      }
      done({ code, json, stderr });
    });
  });
}

describe('framewise-server admin commands (PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-server-cli-'));
  const data = ['--data', dataDir];
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('sets up a team, issues and revokes a token, assigns and reassigns a clip, and reports it all', async () => {
    for (const [name, role] of [
      ['ana', 'annotator'],
      ['bo', 'annotator'],
      ['rita', 'reviewer'],
      ['lee', 'lead'],
    ]) {
      const added = await run(['user', 'add', name ?? '', '--role', role ?? '', ...data]);
      expect(added.code, added.stderr).toBe(0);
      expect(added.json).toMatchObject({ name, role });
    }
    const duplicate = await run(['user', 'add', 'ana', '--role', 'annotator', ...data]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('USER_EXISTS');
    // A mistyped command is refused before it opens (or creates) a database.
    const untouched = `${dataDir}-never-created`;
    const badRole = await run(['user', 'add', 'zed', '--role', 'boss', '--data', untouched]);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('--role must be');
    expect(existsSync(untouched)).toBe(false);

    const project = (await run(['project', 'create', 'Kitchen', '--lead', 'lee', ...data]))
      .json as {
      projectId: string;
    };
    const clipRef = clipRefOf('cli-assign');
    const assigned = await run([
      'assign',
      clipRef,
      '--project',
      project.projectId,
      '--annotator',
      'ana',
      '--reviewer',
      'rita',
      ...data,
    ]);
    expect(assigned.code, assigned.stderr).toBe(0);
    const { assignmentId } = assigned.json as { assignmentId: string };
    const anaToken = (await run(['token', 'issue', 'ana', ...data])).json as {
      token: string;
      tokenId: string;
    };
    const boToken = (await run(['token', 'issue', 'bo', ...data])).json as { token: string };
    expect(anaToken.token).toMatch(/^fwt_/);
    expect((await run(['reassign', assignmentId, '--annotator', 'bo', ...data])).code).toBe(0);
    const badScope = await run([
      'consent', 'record', clipRef, '--id', 'c-1', '--scope', 'training,selling',
      '--granted', '2026-01-01', '--data', untouched,
    ]); // prettier-ignore
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toContain('scope');
    expect(existsSync(untouched)).toBe(false);
    const recorded = await run([
      'consent', 'record', clipRef, '--id', 'c-1', '--scope', 'training,research',
      '--granted', '2026-01-01', '--expires', '2030-12-31', ...data,
    ]); // prettier-ignore
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.json).toMatchObject({
      clipRef,
      consent: { id: 'c-1', scope: ['training', 'research'], expiresAt: '2030-12-31' },
      notified: 3,
    });
    expect(
      (await run(['consent', 'withdraw', clipRef, '--reason', 'asked', ...data])).json,
    ).toEqual({
      clipRef,
      notified: 3,
    });

    const server = await spawnServer({ dataDir });
    try {
      // PGlite is single-process: while it serves, the server runs admin commands for the CLI,
      // so nobody stops it to add a user, and the new token works at once.
      const late = await run(['user', 'add', 'late', '--role', 'annotator', ...data]);
      expect(late.code, late.stderr).toBe(0);
      expect(late.json).toMatchObject({ name: 'late', role: 'annotator' });
      const lateToken = (await run(['token', 'issue', 'late', ...data])).json as { token: string };
      expect(
        (await call(server.url, 'GET', '/v1/assignments', { token: lateToken.token })).status,
      ).toBe(200);
      // Its refusals read as they do without a server.
      const again = await run(['user', 'add', 'late', '--role', 'annotator', ...data]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('USER_EXISTS');

      // Remote admin: an admin's token runs any command; a lead's only on their own project.
      await run(['user', 'add', 'root', '--role', 'admin', ...data]);
      const rootToken = (await run(['token', 'issue', 'root', ...data])).json as { token: string };
      const leeToken = (await run(['token', 'issue', 'lee', ...data])).json as { token: string };
      const remote = (args: string[], token: string) =>
        run([...args, '--server', server.url], { FRAMEWISE_TOKEN: token });
      const created = await remote(
        ['project', 'create', 'Garden', '--lead', 'lee'],
        rootToken.token,
      );
      expect(created.code, created.stderr).toBe(0);
      const garden = (created.json as { projectId: string }).projectId;
      const byLead = await remote(
        ['assign', clipRefOf('garden-1'), '--project', garden, '--annotator', 'late'],
        leeToken.token,
      );
      expect(byLead.code, byLead.stderr).toBe(0);
      const leadAddsUser = await remote(['user', 'add', 'eve', '--role', 'lead'], leeToken.token);
      expect(leadAddsUser.code).toBe(1);
      expect(leadAddsUser.stderr).toContain('FORBIDDEN');
      const annotatorTries = await remote(
        ['assign', clipRefOf('garden-2'), '--project', garden, '--annotator', 'late'],
        anaToken.token,
      );
      expect(annotatorTries.code).toBe(1);
      expect(annotatorTries.stderr).toContain('FORBIDDEN');

      const anaFeed = await call(server.url, 'GET', '/v1/events', { token: anaToken.token });
      expect((anaFeed.body as { events: { kind: string }[] }).events.map((e) => e.kind)).toEqual([
        'assigned',
        'unassigned',
      ]);
      const boFeed = await call(server.url, 'GET', '/v1/events', { token: boToken.token });
      expect((boFeed.body as { events: { kind: string }[] }).events.map((e) => e.kind)).toEqual([
        'assigned',
        'consent_recorded',
        'consent_withdrawn',
      ]);
      // The clip now belongs to bo: ana's push is not found; bo's is the clip's, and refused
      // because its contributor withdrew consent above.
      const push = (token: string, key: string) =>
        call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
          token,
          key,
          body: {
            baseRevision: 0,
            labels: { tracks: [], segments: [], contacts: [] },
            localSetId: 'x',
            localRevision: 1,
          },
        });
      expect((await push(anaToken.token, 'cli-push-ana')).status).toBe(404);
      const bo = await push(boToken.token, 'cli-push-bo');
      expect(bo.status).toBe(410);
      expect(bo.body).toMatchObject({ error: { code: 'CONSENT_WITHDRAWN' } });
    } finally {
      await server.stop();
    }

    expect((await run(['token', 'revoke', anaToken.tokenId, ...data])).code).toBe(0);
    expect((await run(['token', 'revoke', anaToken.tokenId, ...data])).code).toBe(1);
    const again = await spawnServer({ dataDir });
    try {
      expect(
        (await call(again.url, 'GET', '/v1/assignments', { token: anaToken.token })).status,
      ).toBe(401);
    } finally {
      await again.stop();
    }
    // Each command is its own process opening PGlite (about 1-4 s each): a long test, held
    // only by vitest's safety-net timeout.
  });
});
