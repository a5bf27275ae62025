import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src/main/services/createServices';
import { probeVideo } from '../../../src/node/media/probeVideo';
import { buildServer } from '../../../src/server/app';
import { openBlobStore, type BlobStore } from '../../../src/server/blobs/blobStore';
import type { Db } from '../../../src/server/db/Db';
import { markDoubleAnnotation } from '../../../src/server/doubleAnnotation';
import { ingestBatchFolder } from '../../../src/server/delivery/ingest';
import { assignClip, createProject } from '../../../src/server/team';
import { DeliveriesAnswer } from '../../../src/shared/api/syncProtocol';
import {
  call,
  openTestDb,
  pushBody,
  seedTeam,
  type Backend,
  type Team,
} from '../server/serverHarness';

const GENERATED = resolve(import.meta.dirname, '../../fixtures/generated');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const ADMIN = { id: 'admin:test', name: 'admin:test', role: 'admin' as const };
// PostgreSQL too when the developer or CI provides one.
const backends: Backend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

function batchFolder(dir: string, id: string, files: [string, string][]): string {
  mkdirSync(dir, { recursive: true });
  for (const [from, to] of files) copyFileSync(join(GENERATED, from), join(dir, to));
  writeFileSync(
    join(dir, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: id,
      contributor: { pseudonym: `contrib_${id}` },
      consent: { id: `consent-${id}`, scope: ['training'], grantedAt: '2026-11-01' },
    }),
  );
  return dir;
}

/**
 * Point 6 of #18 with a real server and the workstation as the app wires it: the reviewer and the
 * lead start from empty machines, and the review queue and the Agreement screen get video that
 * nobody copied by hand. Annotators get only their own clips, never the original.
 */
describe.each(backends)('reviewers and leads receive the clips they judge (%s)', (backend) => {
  let db: Db;
  let team: Team;
  let blobs: BlobStore;
  let url: string;
  let close: () => Promise<void>;
  let dispose: () => Promise<void>;
  const open: Services[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'fw-review-delivery-'));
  const phoneRef = sha256(readFileSync(join(GENERATED, 'batch/rotated.mov')));
  const doubledRef = sha256(readFileSync(join(GENERATED, 'batch/cfr30.mp4')));
  const otherLeadsRef = sha256(readFileSync(join(GENERATED, 'batch/clip.webm')));

  beforeAll(async () => {
    ({ db, dispose } = await openTestDb(backend));
    team = await seedTeam(db);
    blobs = await openBlobStore({ kind: 'folder', dir: join(scratch, 'blobs') });
    const deps = { db, blobs, stagingDir: join(scratch, 'staging') };
    const app = await buildServer({ db, rateLimitPerMinute: 1_000_000, delivery: deps });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
    close = () => app.close();
    // lead1's project gets the phone clip (GPS in its metadata); a second project of lead1's is
    // double-annotated; lead2's project holds a clip lead1 must not receive.
    const { projectId: doubledProject } = await createProject(db, 'p-double', 'lead1');
    const ingest = async (dir: string, projectId: string) => {
      const report = await ingestBatchFolder(deps, ADMIN, dir, projectId, ADMIN.id);
      expect(report.files.every((f) => f.status === 'ok')).toBe(true);
    };
    await ingest(
      batchFolder(join(scratch, 'b1'), 'b1', [['batch/rotated.mov', 'phone.mov']]),
      team.projectId,
    );
    await ingest(
      batchFolder(join(scratch, 'b2'), 'b2', [['batch/cfr30.mp4', 'cfr30.mp4']]),
      doubledProject,
    );
    await ingest(
      batchFolder(join(scratch, 'b3'), 'b3', [['batch/clip.webm', 'clip.webm']]),
      team.otherProjectId,
    );
    await assignClip(db, {
      clipRef: phoneRef,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    });
    await assignClip(db, {
      clipRef: doubledRef,
      projectId: doubledProject,
      annotator: 'ann1',
      reviewer: 'rev1',
    });
    const marked = await markDoubleAnnotation(db, {
      projectId: doubledProject,
      share: 1,
      annotators: ['ann2'],
    });
    expect(marked.marked.map((m) => m.clipRef)).toEqual([doubledRef]);
  });

  afterAll(async () => {
    for (const services of open) services.close();
    await close();
    await blobs.close();
    await dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** An empty workstation, signed in as `token`'s account. */
  function workstation(name: string, token: string): Services {
    mkdirSync(join(scratch, name), { recursive: true });
    const services = createServices({
      databasePath: join(scratch, name, 'framewise.sqlite'),
      actor: name,
    });
    open.push(services);
    services.sync.signIn(url, token);
    return services;
  }

  async function listed(token: string): Promise<DeliveriesAnswer['clips']> {
    const answer = await fetch(`${url}/v1/deliveries`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    return DeliveriesAnswer.parse(await answer.json()).clips;
  }

  async function fileStatus(token: string, clipRef: string, query = ''): Promise<number> {
    const answer = await fetch(`${url}/v1/clips/${clipRef}/file${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await answer.arrayBuffer();
    return answer.status;
  }

  it('gives an annotator only the clips assigned to them, and never the original', async () => {
    const ann1 = await listed(team.tokens.ann1);
    expect(ann1.map((c) => [c.clipRef, c.as]).sort()).toEqual(
      [
        [doubledRef, 'annotator'],
        [phoneRef, 'annotator'],
      ].sort(),
    );
    // What is listed is the stripped copy, under its own hash.
    expect(ann1.every((c) => c.sha256 !== c.clipRef)).toBe(true);
    expect(await fileStatus(team.tokens.ann1, phoneRef, '?variant=original')).toBe(403);
    // ann2 labels only the second copy of the doubled clip.
    expect((await listed(team.tokens.ann2)).map((c) => c.clipRef)).toEqual([doubledRef]);
    expect(await fileStatus(team.tokens.ann2, phoneRef)).toBe(404);
    expect(await fileStatus(team.tokens.ann2, phoneRef, '?variant=original')).toBe(404);
    expect(await fileStatus(team.tokens.ann2, otherLeadsRef)).toBe(404);
  });

  it("brings a submitted set's clip to the reviewer's empty workstation, ready to review", async () => {
    // Nothing is handed in yet: the reviewer's queue, and so their delivery, is empty.
    expect(await listed(team.tokens.rev1)).toEqual([]);
    expect(await fileStatus(team.tokens.rev1, phoneRef)).toBe(404);
    const pushed = await call(url, 'PUT', `/v1/clips/${phoneRef}/set`, {
      token: team.tokens.ann1,
      key: 'rev-delivery-push-1',
      body: pushBody(0),
    });
    expect(pushed.status).toBe(200);
    expect((await listed(team.tokens.rev1)).map((c) => [c.clipRef, c.as])).toEqual([
      [phoneRef, 'reviewer'],
    ]);
    expect(await fileStatus(team.tokens.rev1, phoneRef, '?variant=original')).toBe(403);

    const reviewer = workstation('reviewer', team.tokens.rev1);
    await reviewer.sync.syncNow();
    const progress = await reviewer.delivery.refresh();
    expect(progress.clips).toMatchObject([{ clipRef: phoneRef, as: 'reviewer', state: 'ready' }]);
    const queue = await reviewer.handlers.listReviewQueue({});
    expect(queue).toHaveLength(1);
    const item = queue[0];
    if (item?.clipId === null || item?.clipId === undefined)
      throw new Error('no video for the set');
    expect(item.clipRef).toBe(phoneRef);
    // The queue opens the set on the delivered file: no location in what the reviewer holds.
    const path = reviewer.store.media.getClipFilePath(item.clipId);
    expect(path).toBe(reviewer.delivery.pathOf(phoneRef));
    const opened = await reviewer.handlers.openReview({ setId: item.setId });
    expect(opened.item).toMatchObject({ setId: item.setId, clipId: item.clipId });
    expect((await probeVideo(path ?? '')).flagged.location).toBeNull();

    // Judged, the set leaves the queue, and the server stops offering its clip.
    const verdict = await call(url, 'POST', `/v1/sets/${item.setId}/review`, {
      token: team.tokens.rev1,
      key: 'rev-delivery-accept-1',
      body: { verdict: 'accept', baseRevision: 1, comments: [] },
    });
    expect(verdict.status).toBe(200);
    expect(await listed(team.tokens.rev1)).toEqual([]);
  });

  it('gives the lead every clip of their projects, and the Agreement screen compares on it', async () => {
    for (const [token, key] of [
      [team.tokens.ann1, 'lead-delivery-push-1'],
      [team.tokens.ann2, 'lead-delivery-push-2'],
    ] as const) {
      const pushed = await call(url, 'PUT', `/v1/clips/${doubledRef}/set`, {
        token,
        key,
        body: pushBody(0),
      });
      expect(pushed.status).toBe(200);
    }
    const offered = await listed(team.tokens.lead1);
    expect(offered.map((c) => [c.clipRef, c.as]).sort()).toEqual(
      [
        [doubledRef, 'lead'],
        [phoneRef, 'lead'],
      ].sort(),
    );
    expect(await fileStatus(team.tokens.lead1, otherLeadsRef)).toBe(404);
    // The original stays on the server for the lead, and only for them.
    const original = await fetch(`${url}/v1/clips/${phoneRef}/file?variant=original`, {
      headers: { authorization: `Bearer ${team.tokens.lead1}` },
    });
    expect(sha256(Buffer.from(await original.arrayBuffer()))).toBe(phoneRef);

    const lead = workstation('lead', team.tokens.lead1);
    await lead.sync.syncNow();
    expect(await lead.sync.pullDoubleAnnotation()).toMatchObject({ allowed: true, received: 2 });
    // Both halves are here, but not the video: the pair cannot be compared yet.
    expect(lead.agreement.report()).toMatchObject({ pairs: [], notOnThisMachine: 1 });

    const progress = await lead.delivery.refresh();
    expect(progress.clips.map((c) => [c.clipRef, c.state]).sort()).toEqual(
      [
        [doubledRef, 'ready'],
        [phoneRef, 'ready'],
      ].sort(),
    );
    const report = lead.agreement.report();
    expect(report.notOnThisMachine).toBe(0);
    expect(report.pairs).toEqual([expect.objectContaining({ reference: 'ann1', other: 'ann2' })]);
    const clip = lead.store.media.getClip(report.pairs[0]?.clipId ?? '');
    expect(clip?.sha256).toBe(doubledRef);
  });
});
