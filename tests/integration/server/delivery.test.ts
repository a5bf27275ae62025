import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../../../src/node/media/probeVideo';
import { frameTableSha256 } from '../../../src/node/media/frameTableHash';
import { openBlobStore, type BlobStore } from '../../../src/server/blobs/blobStore';
import { buildServer } from '../../../src/server/app';
import type { Db } from '../../../src/server/db/Db';
import { ingestBatchFolder, type IngestOutcome } from '../../../src/server/delivery/ingest';
import { uploadBatchFolder, uploadFile } from '../../../src/server/delivery/uploadClient';
import { drainBlobDeletions } from '../../../src/server/delivery/withdrawal';
import { assignClip, withdrawConsent } from '../../../src/server/team';
import { startLossyProxy } from '../../support/lossyProxy';
import { openTestDb, seedTeam, type Backend, type Team } from './serverHarness';
import { startTestS3, type TestS3 } from './s3ForTests';

const GENERATED = resolve(import.meta.dirname, '../../fixtures/generated');
const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
const ADMIN = { id: 'admin:test', name: 'admin:test', role: 'admin' as const };

/** A contributor batch as it arrives: good clips, one with GPS and an iPhone's name, bad files. */
function makeBatch(dir: string, consent = true): void {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['batch/cfr30.mp4', 'cfr30.mp4'],
    ['batch/rotated.mov', 'phone.mov'],
    ['batch/clip.webm', 'clip.webm'],
    ['batch/notes.mp4', 'notes.mp4'],
    ['batch/truncated.mp4', 'truncated.mp4'],
    ['batch/empty.mp4', 'empty.mp4'],
  ];
  for (const [from, to] of files) copyFileSync(join(GENERATED, from), join(dir, to));
  writeFileSync(
    join(dir, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: 'kitchen-2026-12',
      contributor: { pseudonym: 'contrib_042', region: 'PT' },
      ...(consent
        ? { consent: { id: 'consent-042', scope: ['training'], grantedAt: '2026-11-01' } }
        : {}),
      clips: files.map(([, to]) => ({ path: to })),
    }),
  );
}

const okByPath = (files: IngestOutcome[]) =>
  Object.fromEntries(
    files.map((f) => [f.relativePath, f.status === 'ok' ? 'ok' : f.code] as const),
  );

describe.each([
  ['pglite', 'folder'],
  ['postgres', 's3'],
] as const)('clip delivery on %s with a %s blob store', (backend: Backend, blobKind) => {
  let db: Db;
  let team: Team;
  let blobs: BlobStore;
  let s3: TestS3 | null = null;
  let url: string;
  let close: () => Promise<void>;
  let dispose: () => Promise<void>;
  const scratch = mkdtempSync(join(tmpdir(), 'fw-delivery-'));
  const batchDir = join(scratch, 'batch');
  const deps = () => ({ db, blobs, stagingDir: join(scratch, 'staging') });
  const phone = readFileSync(join(GENERATED, 'batch/rotated.mov'));
  const phoneRef = sha256(phone);
  let phoneDelivered = '';

  beforeAll(async () => {
    const opened = await openTestDb(backend);
    ({ db, dispose } = opened);
    team = await seedTeam(db);
    if (blobKind === 's3') {
      // Parts of 8 KiB: every clip but the smallest goes up as a multipart upload.
      s3 = await startTestS3(undefined, { partBytes: 8 * 1024 });
      blobs = await openBlobStore(s3.config);
    } else {
      blobs = await openBlobStore({ kind: 'folder', dir: join(scratch, 'blobs') });
    }
    const app = await buildServer({
      db,
      rateLimitPerMinute: 1_000_000,
      delivery: { blobs, stagingDir: join(scratch, 'staging') },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
    close = () => app.close();
    makeBatch(batchDir);
  });
  afterAll(async () => {
    await close();
    await blobs.close();
    await s3?.stop();
    await dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('ingests a batch: good clips stored by sha256, bad files with the import codes, all audited', async () => {
    const report = await ingestBatchFolder(deps(), ADMIN, batchDir, team.projectId, 'admin:test');
    expect(okByPath(report.files)).toEqual({
      'cfr30.mp4': 'ok',
      'phone.mov': 'ok',
      'clip.webm': 'ok',
      'notes.mp4': 'NOT_A_VIDEO',
      'truncated.mp4': 'TRUNCATED',
      'empty.mp4': 'EMPTY_FILE',
    });
    expect(report.ingested).toBe(3);
    const phoneOutcome = report.files.find((f) => f.relativePath === 'phone.mov');
    if (phoneOutcome?.status !== 'ok') throw new Error('phone.mov was not ingested');
    expect(phoneOutcome.clipRef).toBe(phoneRef);
    phoneDelivered = phoneOutcome.deliveredSha256;
    expect(phoneDelivered).not.toBe(phoneRef);
    // Both copies are in the store under their own hashes.
    expect(await blobs.stat(phoneRef)).toEqual({ size: phone.byteLength });
    expect(await blobs.stat(phoneDelivered)).not.toBeNull();
    if (s3 !== null) {
      expect(s3.requests).toContain('POST uploads');
      expect(s3.pendingUploads()).toEqual([]);
    }
    const consent = await db.query<{ consent: { id: string } }>(
      'SELECT consent FROM consent_records WHERE clip_ref = $1',
      [phoneRef],
    );
    expect(consent[0]?.consent.id).toBe('consent-042');
    const audit = await db.query<{ action: string; clip_ref: string | null }>(
      `SELECT action, clip_ref FROM audit_log WHERE action IN ('batch.ingest', 'clip.ingest')`,
    );
    expect(audit.filter((a) => a.action === 'clip.ingest')).toHaveLength(3);
    expect(audit.filter((a) => a.action === 'batch.ingest')).toHaveLength(1);
    // The same batch again adds nothing.
    const again = await ingestBatchFolder(deps(), ADMIN, batchDir, team.projectId, 'admin:test');
    expect(again.ingested).toBe(0);
  });

  it('refuses a batch without consent, as a whole, before storing anything', async () => {
    const noConsent = join(scratch, 'no-consent');
    makeBatch(noConsent, false);
    await expect(
      ingestBatchFolder(deps(), ADMIN, noConsent, team.projectId, 'admin:test'),
    ).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
  });

  it('hands annotators the copy without location, device or dates, with the same frame table', async () => {
    await assignClip(db, {
      clipRef: phoneRef,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    });
    const list = await fetch(`${url}/v1/deliveries`, {
      headers: { authorization: `Bearer ${team.tokens.ann1}` },
    });
    const { clips } = (await list.json()) as { clips: { clipRef: string; sha256: string }[] };
    expect(clips.map((c) => c.clipRef)).toEqual([phoneRef]);
    expect(clips[0]?.sha256).toBe(phoneDelivered);

    const response = await fetch(`${url}/v1/clips/${phoneRef}/file`, {
      headers: { authorization: `Bearer ${team.tokens.ann1}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${phoneDelivered}"`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(sha256(bytes)).toBe(phoneDelivered);
    const file = join(scratch, 'downloaded.mov');
    writeFileSync(file, bytes);
    const original = await probeVideo(join(GENERATED, 'batch/rotated.mov'));
    const delivered = await probeVideo(file);
    expect(original.flagged.location).not.toBeNull();
    expect(delivered.flagged).toEqual({
      location: null,
      make: null,
      model: null,
      creationTime: null,
    });
    // No location bytes anywhere in the file, not only where the probe looks.
    expect(bytes.includes(Buffer.from(original.flagged.location ?? '-', 'latin1'))).toBe(false);
    expect(bytes.includes(Buffer.from('iPhone', 'latin1'))).toBe(false);
    expect(frameTableSha256(delivered.frameTimes)).toBe(frameTableSha256(original.frameTimes));
  });

  it('serves ranges (resume), honours If-Range, and only to the people who work on the clip', async () => {
    const auth = { authorization: `Bearer ${team.tokens.ann1}` };
    const whole = Buffer.from(
      await (await fetch(`${url}/v1/clips/${phoneRef}/file`, { headers: auth })).arrayBuffer(),
    );
    const part = await fetch(`${url}/v1/clips/${phoneRef}/file`, {
      headers: { ...auth, range: 'bytes=1000-', 'if-range': `"${phoneDelivered}"` },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(
      `bytes 1000-${whole.byteLength - 1}/${whole.byteLength}`,
    );
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(1000))).toBe(true);
    // A file that changed under the client (another ETag) comes whole, never spliced.
    const stale = await fetch(`${url}/v1/clips/${phoneRef}/file`, {
      headers: { ...auth, range: 'bytes=1000-', 'if-range': '"0000"' },
    });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const beyond = await fetch(`${url}/v1/clips/${phoneRef}/file`, {
      headers: { ...auth, range: `bytes=${whole.byteLength + 5}-` },
    });
    expect(beyond.status).toBe(416);
    await beyond.arrayBuffer();

    const status = async (token: string, query = '') => {
      const r = await fetch(`${url}/v1/clips/${phoneRef}/file${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await r.arrayBuffer();
      return r.status;
    };
    // The reviewer's turn comes once a set of the clip is handed in to them
    // (reviewerLeadDelivery.test.ts); until then the footage stays with those who need it.
    expect(await status(team.tokens.rev1)).toBe(404);
    expect(await status(team.tokens.lead1)).toBe(200);
    expect(await status(team.tokens.ann2)).toBe(404);
    expect(await status(team.tokens.lead2)).toBe(404);
    expect(await status(team.tokens.ann1, '?variant=original')).toBe(403);
    const original = await fetch(`${url}/v1/clips/${phoneRef}/file?variant=original`, {
      headers: { authorization: `Bearer ${team.tokens.lead1}` },
    });
    expect(sha256(Buffer.from(await original.arrayBuffer()))).toBe(phoneRef);
    const anonymous = await fetch(`${url}/v1/clips/${phoneRef}/file`);
    expect(anonymous.status).toBe(401);
  });

  it('resumes an upload cut mid-chunk from the last byte the server acknowledged', async () => {
    const proxy = await startLossyProxy(url);
    try {
      const source = join(GENERATED, 'batch/cfr60.mp4');
      const bytes = readFileSync(source);
      const manifest = {
        version: 1,
        batchId: 'upload-cut',
        contributor: { pseudonym: 'contrib_043' },
        consent: { id: 'consent-043', scope: ['training'], grantedAt: '2026-11-01' },
        clips: [{ path: 'cfr60.mp4' }],
      };
      const created = await fetch(`${url}/v1/projects/${team.projectId}/ingest-batches`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${team.tokens.lead1}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ manifest }),
      });
      expect(created.status).toBe(201);
      const { batchId } = (await created.json()) as { batchId: string };
      // The link dies inside the third 4 KiB chunk; this client gives up at once, as one whose
      // machine restarted would.
      const file = {
        path: 'cfr60.mp4',
        absolutePath: source,
        sizeBytes: bytes.byteLength,
        sha256: sha256(bytes),
      };
      const conn = { baseUrl: proxy.url, token: team.tokens.lead1 };
      proxy.cutAtTotal('request', 10_000);
      await expect(
        uploadFile(conn, batchId, file, { chunkBytes: 4096, maxAttempts: 1 }),
      ).rejects.toMatchObject({ code: 'UPLOAD_FAILED' });
      expect(proxy.stats.cut).toBe(1);
      // A new client finds the upload where the server left it (two whole chunks at least) and
      // sends the rest; at most one chunk goes twice (one refused while the cut one drained).
      const done = await uploadFile(conn, batchId, file, { chunkBytes: 4096 });
      expect(done.bytesSent).toBeLessThanOrEqual(bytes.byteLength - 8192 + 4096);
      expect(done.state).toBe('done');
      expect(done.outcome).toMatchObject({ status: 'ok', clipRef: sha256(bytes) });
      expect(await blobs.stat(sha256(bytes))).toEqual({ size: bytes.byteLength });
    } finally {
      await proxy.close();
    }
  });

  it('ingests a whole batch through a link that drops 30 % of connections', async () => {
    const proxy = await startLossyProxy(url, { dropShare: 0.3, seed: 7, maxCutBytes: 20_000 });
    try {
      const lossyBatch = join(scratch, 'lossy');
      mkdirSync(lossyBatch);
      for (const name of ['vfr.mp4', 'ntsc2997.mp4', 'mpeg4.mp4', 'notes.mp4']) {
        copyFileSync(join(GENERATED, 'batch', name), join(lossyBatch, name));
      }
      writeFileSync(
        join(lossyBatch, 'batch.json'),
        JSON.stringify({
          version: 1,
          batchId: 'lossy',
          contributor: { pseudonym: 'contrib_044' },
          consent: { id: 'consent-044', scope: ['training'], grantedAt: '2026-11-01' },
        }),
      );
      const report = await uploadBatchFolder(
        { baseUrl: proxy.url, token: team.tokens.lead1 },
        lossyBatch,
        team.projectId,
        { chunkBytes: 8 * 1024, maxAttempts: 50 },
      );
      expect(okByPath(report.files)).toEqual({
        // The workstation's import refuses MPEG-4 Part 2 too: the same code reaches the uploader.
        'mpeg4.mp4': 'UNSUPPORTED_CODEC',
        'notes.mp4': 'NOT_A_VIDEO',
        'ntsc2997.mp4': 'ok',
        'vfr.mp4': 'ok',
      });
      expect(proxy.stats.cut).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });

  it('a withdrawal deletes the original and the delivered copy from the store, audited', async () => {
    await withdrawConsent(db, phoneRef, 'contributor asked', 'admin:test');
    expect(await drainBlobDeletions(db, blobs, 'admin:test')).toBe(2);
    expect(await blobs.stat(phoneRef)).toBeNull();
    expect(await blobs.stat(phoneDelivered)).toBeNull();
    const audit = await db.query<{ details: { kind: string } }>(
      `SELECT details FROM audit_log WHERE action = 'clip.blob_delete' AND clip_ref = $1`,
      [phoneRef],
    );
    expect(audit.map((a) => a.details.kind).sort()).toEqual(['delivered', 'original']);
    const gone = await fetch(`${url}/v1/clips/${phoneRef}/file`, {
      headers: { authorization: `Bearer ${team.tokens.lead1}` },
    });
    expect(gone.status).toBe(404);
    expect(await db.query('SELECT 1 FROM clip_files WHERE clip_ref = $1', [phoneRef])).toEqual([]);
  });
});
