import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/db/Db';
import { addUser, issueToken } from '../../../src/server/team';
import {
  backends,
  call,
  clipRefOf,
  listenInProcess,
  openTestDb,
  seedTeam,
  type Team,
} from './serverHarness';

const SECRET = 'fwa_local-secret-for-this-launch-only';

describe.each(backends)('admin commands on a running server (%s)', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let server: { url: string; close: () => Promise<void> };
  let team: Team;
  let adminToken: string;

  beforeAll(async () => {
    const opened = await openTestDb(backend);
    db = opened.db;
    dispose = opened.dispose;
    team = await seedTeam(db);
    await addUser(db, 'root', 'admin');
    adminToken = (await issueToken(db, 'root')).token;
    const app = await listenInProcess(db, { adminSecret: SECRET });
    server = app;
  });
  afterAll(async () => {
    await server.close();
    await dispose();
  });

  const admin = (token: string, argv: string[], actor?: string) =>
    call(server.url, 'POST', '/v1/admin/commands', {
      token,
      body: { argv, ...(actor === undefined ? {} : { actor }) },
    });

  it("runs a command with the launch's local secret, as the shell user it names", async () => {
    const answer = await admin(SECRET, ['user', 'add', 'newbie', '--role', 'annotator'], 'ops');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ exitCode: 0, stderr: [] });
    const printed = (answer.body as { stdout: string[] }).stdout;
    expect(JSON.parse(printed[0] ?? '')).toMatchObject({ name: 'newbie', role: 'annotator' });
    const audit = await db.query<{ actor: string }>(
      `SELECT actor FROM audit_log WHERE action = 'user.add' ORDER BY seq DESC LIMIT 1`,
    );
    expect(audit).toEqual([{ actor: 'admin:ops' }]);
    // The secret opens this route only.
    expect((await call(server.url, 'GET', '/v1/assignments', { token: SECRET })).status).toBe(401);
  });

  it('lets an admin run anything, a lead only on their projects, nobody else', async () => {
    const issued = await admin(adminToken, ['token', 'issue', 'newbie']);
    expect(issued.body).toMatchObject({ exitCode: 0 });
    const assign = (token: string, projectId: string) =>
      admin(token, ['assign', clipRefOf(`admin-${projectId}`), '--project', projectId,
        '--annotator', 'ann1']); // prettier-ignore
    expect((await assign(team.tokens.lead1, team.projectId)).body).toMatchObject({ exitCode: 0 });
    expect((await assign(team.tokens.lead1, team.otherProjectId)).status).toBe(403);
    expect((await admin(team.tokens.lead1, ['user', 'add', 'x', '--role', 'lead'])).status).toBe(
      403,
    );
    expect((await assign(team.tokens.ann1, team.projectId)).status).toBe(403);
    // Commands that write files would write on the server's disk: a lead may not, even for
    // their own project.
    for (const argv of [
      ['export', '--project', team.projectId, '--format', 'coco', '--out', '/tmp/fw-lead-out'],
      ['audit', 'export', '--project', team.projectId, '--out', '/tmp/fw-lead-trail.jsonl'],
    ]) {
      expect((await admin(team.tokens.lead1, argv)).status).toBe(403);
    }
    // A refusal of the command itself is its output, with its exit code.
    const twice = await admin(adminToken, ['user', 'add', 'newbie', '--role', 'annotator']);
    expect(twice.body).toMatchObject({
      exitCode: 1,
      stderr: [expect.stringContaining('USER_EXISTS')],
    });
    expect((await admin(adminToken, ['serve'])).status).toBe(400);
    expect(
      (await admin(SECRET.replace('only', 'else'), ['user', 'add', 'y', '--role', 'lead'])).status,
    ).toBe(401);
  });
});
