import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/db/Db';
import { uploadFile } from '../../../src/server/delivery/uploadClient';
import { databaseState } from './databaseState';
import {
  call,
  seededServer,
  TEST_CHUNK_MAX,
  type Backend,
  type DeliveryFixture,
  type Team,
} from './serverHarness';

const backends: Backend[] = ['pglite', 'postgres'];
const GENERATED = resolve(import.meta.dirname, '../../fixtures/generated');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const CHUNK_TYPE = 'application/offset+octet-stream';
const CONSENT = { id: 'consent-hostile', scope: ['training'], grantedAt: '2026-11-01' };

type Refusal = { status: number; code: string; message: string; body: Record<string, unknown> };

/**
 * The clip delivery routes under hostile input (#18): Range headers no player sends, ids that
 * try to climb out of the blob and staging folders, upload chunks at the wrong offset, too long,
 * or with the wrong bytes, and a connection cut mid-chunk. Each gets its own code and a sentence
 * that says what to do, and leaves nothing half-stored: no database row, blob or staged byte
 * changes on a refusal, and a cut upload keeps exactly the bytes it acknowledges.
 */
describe.each(backends)('hostile input to the clip delivery routes on %s', (backend) => {
  let db: Db;
  let url: string;
  let team: Team;
  let fixture: DeliveryFixture;
  let close: () => Promise<void>;
  let clipBytes: Buffer;

  beforeAll(async () => {
    const server = await seededServer(backend, undefined, { delivery: true });
    ({ db, url, team, close } = server);
    if (server.delivery === undefined) throw new Error('no delivery routes');
    fixture = server.delivery;
    const whole = await fetch(`${url}/v1/clips/${fixture.clipRef}/file`, {
      headers: { authorization: `Bearer ${team.tokens.ann1}` },
    });
    clipBytes = Buffer.from(await whole.arrayBuffer());
    expect(sha256(clipBytes)).toBe(fixture.deliveredSha256);
  });

  afterAll(() => close());

  async function snapshot(): Promise<{
    db: Record<string, string>;
    files: Record<string, number>;
  }> {
    return { db: await databaseState(db), files: fixture.files() };
  }

  /** A raw request; the answer's error body when it is one. */
  async function send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer | ReadableStream<Uint8Array>,
  ): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body, duplex: 'half' }),
    });
    return {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  const refusalOf = (answer: { status: number; bytes: Buffer }): Refusal => {
    const body = JSON.parse(answer.bytes.toString('utf8')) as {
      error: { code: string; message: string } & Record<string, unknown>;
    };
    return { status: answer.status, ...body.error, body: body.error };
  };

  /** Sends the request and proves it was refused with `code`, nothing stored or changed. */
  async function refusedUnchanged(
    code: string,
    status: number,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer | ReadableStream<Uint8Array>,
  ): Promise<Refusal> {
    const before = await snapshot();
    const refusal = refusalOf(await send(method, path, headers, body));
    expect(refusal.status, refusal.message).toBe(status);
    expect(refusal.code, refusal.message).toBe(code);
    expect(refusal.message.length).toBeGreaterThan(20);
    expect(await snapshot()).toEqual(before);
    return refusal;
  }

  const auth = (name: keyof Team['tokens']) => ({ authorization: `Bearer ${team.tokens[name]}` });

  /** A new batch of lead1's listing `listed`, and the upload of `file` in it. */
  async function newUpload(
    name: string,
    file: { path: string; bytes: Buffer },
    listed: Record<string, unknown>[] = [{ path: file.path }],
  ): Promise<string> {
    const batch = await call(url, 'POST', `/v1/projects/${team.projectId}/ingest-batches`, {
      token: team.tokens.lead1,
      body: {
        manifest: {
          version: 1,
          batchId: name,
          contributor: { pseudonym: 'contrib_x' },
          consent: CONSENT,
          clips: listed,
        },
      },
    });
    expect(batch.status).toBe(201);
    const { batchId } = batch.body as { batchId: string };
    const started = await call(url, 'POST', `/v1/ingest-batches/${batchId}/uploads`, {
      token: team.tokens.lead1,
      body: { path: file.path, sizeBytes: file.bytes.byteLength, sha256: sha256(file.bytes) },
    });
    expect(started.status).toBe(200);
    return (started.body as { uploadId: string }).uploadId;
  }

  const patch = (uploadId: string, offset: number | string, bytes: Buffer) =>
    send(
      'PATCH',
      `/v1/uploads/${uploadId}`,
      { ...auth('lead1'), 'content-type': CHUNK_TYPE, 'upload-offset': String(offset) },
      bytes,
    );

  const offsetOf = async (uploadId: string): Promise<{ offset: number; state: string }> => {
    const status = await call(url, 'GET', `/v1/uploads/${uploadId}`, { token: team.tokens.lead1 });
    return status.body as { offset: number; state: string };
  };

  it('refuses malformed, negative, overlapping and out-of-bounds ranges with 416 and the reason', async () => {
    const file = `/v1/clips/${fixture.clipRef}/file`;
    const size = clipBytes.byteLength;
    const cases: [string, RegExp][] = [
      ['bytes=abc', /"abc" is not a byte range/],
      ['bytes=-5-10', /"-5-10" is not a byte range/],
      ['bytes=--1', /not a byte range/],
      ['bytes=', /"" is not a byte range/],
      ['0-100', /is not a range/],
      ['bytes=500-100', /ends before it starts/],
      ['bytes=-0', /last 0 bytes/],
      [`bytes=${size}-`, /starts past the end/],
      ['bytes=99999999999999999999999-', /starts past the end/],
      ['bytes=0-100,50-150', /overlapping/],
      ['bytes=0-,0-,0-,0-', /overlapping/],
      [`bytes=${Array.from({ length: 40 }, (_, i) => `${i}-${i}`).join(',')}`, /40 ranges/],
    ];
    for (const [range, reason] of cases) {
      const before = await snapshot();
      const answer = await send('GET', file, { ...auth('ann1'), range });
      const refusal = refusalOf(answer);
      expect([refusal.status, refusal.code], range).toEqual([416, 'RANGE_NOT_SATISFIABLE']);
      expect(refusal.message, range).toMatch(reason);
      expect(answer.headers.get('content-range'), range).toBe(`bytes */${size}`);
      expect(await snapshot()).toEqual(before);
    }
    // What a careful server may still serve: a huge end or suffix is the rest of the file, and
    // separate ranges the whole file (multipart answers are not served).
    const huge = await send('GET', file, { ...auth('ann1'), range: 'bytes=100-99999999999999999' });
    expect(huge.status).toBe(206);
    expect(huge.bytes.equals(clipBytes.subarray(100))).toBe(true);
    const suffix = await send('GET', file, { ...auth('ann1'), range: 'bytes=-99999999999999' });
    expect(suffix.status).toBe(206);
    expect(suffix.bytes.equals(clipBytes)).toBe(true);
    const separate = await send('GET', file, { ...auth('ann1'), range: 'bytes=0-9,100-109' });
    expect(separate.status).toBe(200);
    expect(separate.bytes.equals(clipBytes)).toBe(true);
  });

  it('refuses path tricks in clip refs, upload ids and upload paths before touching a file', async () => {
    const ref = fixture.clipRef;
    for (const trick of [
      '..%2F..%2F..%2Fetc%2Fpasswd',
      // (A bare `..` or `%2e%2e` segment is resolved by the client's URL parser before sending.)
      '%2e%2e%2f%2e%2e%2fblobs',
      ref.toUpperCase(),
      `${ref}.mp4`,
      ref.slice(0, 63),
      `${ref}%00`,
      `${ref.slice(0, 60)}%2F..`,
    ]) {
      await refusedUnchanged('INVALID_INPUT', 400, 'GET', `/v1/clips/${trick}/file`, auth('ann1'));
    }
    for (const trick of [
      '..%2F..%2Fblobs',
      '%2e%2e%2fstaging',
      'not-a-uuid',
      `${fixture.uploadId}x`,
    ]) {
      await refusedUnchanged('INVALID_INPUT', 400, 'GET', `/v1/uploads/${trick}`, auth('lead1'));
      await refusedUnchanged(
        'INVALID_INPUT',
        400,
        'PATCH',
        `/v1/uploads/${trick}`,
        { ...auth('lead1'), 'content-type': CHUNK_TYPE, 'upload-offset': '0' },
        Buffer.from('x'),
      );
    }
    for (const path of ['../escape.mp4', '/etc/passwd', 'a/../../b.mp4', 'C:\\clips\\a.mp4', '.']) {
      const refusal = await refusedUnchanged(
        'INVALID_INPUT',
        400,
        'POST',
        `/v1/ingest-batches/${fixture.batchId}/uploads`,
        { ...auth('lead1'), 'content-type': 'application/json' },
        Buffer.from(JSON.stringify({ path, sizeBytes: 10, sha256: ref })),
      );
      expect(refusal.message).toContain(path.slice(0, 2));
    }
  });

  it('refuses a chunk that skips bytes or rewinds, naming the offset to send from', async () => {
    const bytes = readFileSync(fixture.upload.absolutePath);
    const first = await patch(fixture.uploadId, 0, bytes.subarray(0, 4096));
    expect(first.status).toBe(200);
    expect(await offsetOf(fixture.uploadId)).toMatchObject({ offset: 4096, state: 'open' });
    const path = `/v1/uploads/${fixture.uploadId}`;
    const headers = (offset: string) => ({
      ...auth('lead1'),
      'content-type': CHUNK_TYPE,
      'upload-offset': offset,
    });
    const chunk = bytes.subarray(4096, 8192);
    for (const offset of ['8192', '0', '4095']) {
      const refusal = await refusedUnchanged(
        'UPLOAD_OFFSET_MISMATCH',
        409,
        'PATCH',
        path,
        headers(offset),
        chunk,
      );
      expect(refusal.body.offset).toBe(4096);
      expect(refusal.message).toContain('4096');
    }
    for (const offset of ['-1', 'abc', '4096.0', '0x1000', '99999999999999']) {
      await refusedUnchanged('INVALID_INPUT', 400, 'PATCH', path, headers(offset), chunk);
    }
    // Bytes not sent as a chunk's media type are not taken for one.
    await refusedUnchanged(
      'INVALID_INPUT',
      400,
      'PATCH',
      path,
      { ...headers('4096'), 'content-type': 'application/json' },
      Buffer.from('{}'),
    );
  });

  it('refuses a chunk over the limit or past the end, declared or streamed, keeping none of it', async () => {
    const bytes = readFileSync(fixture.upload.absolutePath);
    const path = `/v1/uploads/${fixture.uploadId}`;
    const headers = {
      ...auth('lead1'),
      'content-type': CHUNK_TYPE,
      'upload-offset': '4096',
    };
    expect(await offsetOf(fixture.uploadId)).toMatchObject({ offset: 4096 });
    const tooLong = bytes.subarray(4096, 4096 + TEST_CHUNK_MAX + 1);
    const declared = await refusedUnchanged(
      'CHUNK_TOO_LARGE',
      413,
      'PATCH',
      path,
      headers,
      tooLong,
    );
    expect(declared.message).toContain(String(TEST_CHUNK_MAX));
    expect(declared.body.offset).toBe(4096);
    // Without a length the server finds out while reading: what arrived of it is dropped too.
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < tooLong.byteLength; at += 1024) {
          controller.enqueue(tooLong.subarray(at, at + 1024));
        }
        controller.close();
      },
    });
    await refusedUnchanged('CHUNK_TOO_LARGE', 413, 'PATCH', path, headers, streamed);
    // Within the limit, but past the file's last byte.
    for (let offset = 4096; offset < bytes.byteLength - 4096; offset += 4096) {
      expect(
        (await patch(fixture.uploadId, offset, bytes.subarray(offset, offset + 4096))).status,
      ).toBe(200);
    }
    const { offset } = await offsetOf(fixture.uploadId);
    const pastEnd = Buffer.concat([bytes.subarray(offset), Buffer.alloc(10)]);
    await refusedUnchanged(
      'CHUNK_TOO_LARGE',
      413,
      'PATCH',
      path,
      { ...headers, 'upload-offset': String(offset) },
      pastEnd,
    );
    // The honest last chunk completes it.
    const last = await patch(fixture.uploadId, offset, bytes.subarray(offset));
    expect(last.status).toBe(200);
    expect(JSON.parse(last.bytes.toString('utf8'))).toMatchObject({
      state: 'done',
      outcome: { status: 'ok', clipRef: fixture.upload.sha256 },
    });
  });

  it('refuses bytes that do not hash to the announced sha256: nothing stored, the upload starts over', async () => {
    const bytes = readFileSync(resolve(GENERATED, 'batch/ntsc2997.mp4'));
    const uploadId = await newUpload('wrong-bytes', { path: 'ntsc.mp4', bytes });
    const damaged = Buffer.from(bytes);
    damaged[damaged.byteLength >> 1] = (damaged[damaged.byteLength >> 1] ?? 0) ^ 0xff;
    const clipsBefore = await db.query('SELECT clip_ref FROM clip_files ORDER BY clip_ref');
    const blobsBefore = Object.keys(fixture.files()).filter((f) => f.startsWith('blobs/'));
    let answer: Awaited<ReturnType<typeof patch>> | null = null;
    for (let offset = 0; offset < damaged.byteLength; offset += TEST_CHUNK_MAX) {
      answer = await patch(uploadId, offset, damaged.subarray(offset, offset + TEST_CHUNK_MAX));
    }
    if (answer === null) throw new Error('nothing sent');
    const refusal = refusalOf(answer);
    expect([refusal.status, refusal.code]).toEqual([422, 'CHECKSUM_MISMATCH']);
    expect(refusal.message).toContain(sha256(bytes));
    expect(refusal.body.offset).toBe(0);
    expect(await offsetOf(uploadId)).toMatchObject({ offset: 0, state: 'open' });
    expect(await db.query('SELECT clip_ref FROM clip_files ORDER BY clip_ref')).toEqual(
      clipsBefore,
    );
    expect(Object.keys(fixture.files()).filter((f) => f.startsWith('blobs/'))).toEqual(blobsBefore);
    expect(fixture.files()[`staging/uploads/${uploadId}`]).toBeUndefined();
    // The right bytes then go in.
    let done: Awaited<ReturnType<typeof patch>> | null = null;
    for (let offset = 0; offset < bytes.byteLength; offset += TEST_CHUNK_MAX) {
      done = await patch(uploadId, offset, bytes.subarray(offset, offset + TEST_CHUNK_MAX));
    }
    expect(JSON.parse(done?.bytes.toString('utf8') ?? '{}')).toMatchObject({ state: 'done' });

    // A file whose sha256 batch.json already contradicts is refused before a byte is sent.
    const before = await snapshot();
    const listedOther = await call(url, 'POST', `/v1/projects/${team.projectId}/ingest-batches`, {
      token: team.tokens.lead1,
      body: {
        manifest: {
          version: 1,
          batchId: 'contradicted',
          contributor: { pseudonym: 'contrib_x' },
          consent: CONSENT,
          clips: [{ path: 'x.mp4', sha256: sha256(Buffer.from('other bytes')) }],
        },
      },
    });
    const { batchId } = listedOther.body as { batchId: string };
    const afterBatch = await snapshot();
    const contradicted = await call(url, 'POST', `/v1/ingest-batches/${batchId}/uploads`, {
      token: team.tokens.lead1,
      body: { path: 'x.mp4', sizeBytes: bytes.byteLength, sha256: sha256(bytes) },
    });
    expect(contradicted).toMatchObject({
      status: 422,
      body: { error: { code: 'CHECKSUM_MISMATCH' } },
    });
    expect(await snapshot()).toEqual(afterBatch);
    expect(afterBatch.files).toEqual(before.files);
  });

  it('stops the uploader with CHECKSUM_MISMATCH when the file changed after it was hashed', async () => {
    const bytes = readFileSync(resolve(GENERATED, 'batch/cfr30.mp4'));
    const created = await call(url, 'POST', `/v1/projects/${team.projectId}/ingest-batches`, {
      token: team.tokens.lead1,
      body: {
        manifest: {
          version: 1,
          batchId: 'changed-after-hashing',
          contributor: { pseudonym: 'contrib_x' },
          consent: CONSENT,
        },
      },
    });
    const { batchId } = created.body as { batchId: string };
    const announced = sha256(Buffer.concat([bytes.subarray(1), Buffer.from('x')]));
    const clipsBefore = await db.query('SELECT clip_ref FROM clip_files ORDER BY clip_ref');
    // Before the server said so, the client took the reopened upload for progress and sent the
    // file again, for ever.
    await expect(
      uploadFile(
        { baseUrl: url, token: team.tokens.lead1 },
        batchId,
        {
          path: 'changed.mp4',
          absolutePath: resolve(GENERATED, 'batch/cfr30.mp4'),
          sizeBytes: bytes.byteLength,
          sha256: announced,
        },
        { chunkBytes: TEST_CHUNK_MAX },
      ),
    ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(await db.query('SELECT clip_ref FROM clip_files ORDER BY clip_ref')).toEqual(
      clipsBefore,
    );
  });

  it('keeps exactly the acknowledged bytes of a connection cut mid-chunk, and resumes from them', async () => {
    const bytes = readFileSync(resolve(GENERATED, 'batch/vfr.mp4'));
    const uploadId = await newUpload('cut', { path: 'vfr.mp4', bytes });
    const clipsBefore = await db.query('SELECT clip_ref FROM clip_files ORDER BY clip_ref');
    // Announces a whole chunk, sends 3,000 bytes of it and hangs up.
    await new Promise<void>((done) => {
      const { port, hostname } = new URL(url);
      const cut = httpRequest({
        host: hostname,
        port,
        method: 'PATCH',
        path: `/v1/uploads/${uploadId}`,
        headers: {
          ...auth('lead1'),
          'content-type': CHUNK_TYPE,
          'upload-offset': '0',
          'content-length': String(TEST_CHUNK_MAX),
        },
      });
      cut.on('error', () => done());
      cut.write(bytes.subarray(0, 3000), () => {
        setTimeout(() => {
          cut.destroy();
          done();
        }, 200);
      });
    });
    // The server acknowledges what it synced; the staged file holds exactly that, nothing else.
    let offset = -1;
    for (let attempt = 0; attempt < 100; attempt++) {
      const probe = await patch(uploadId, 0, Buffer.alloc(0));
      const body = JSON.parse(probe.bytes.toString('utf8')) as {
        offset?: number;
        error?: { code: string; offset?: number };
      };
      if (probe.status !== 409 || body.error?.code !== 'UPLOAD_BUSY') {
        offset = body.offset ?? body.error?.offset ?? -1;
        break;
      }
      await new Promise((wait) => setTimeout(wait, 50));
    }
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThanOrEqual(3000);
    expect(await offsetOf(uploadId)).toMatchObject({ offset, state: 'open' });
    const staged = fixture.files()[`staging/uploads/${uploadId}`] ?? 0;
    expect(staged).toBe(offset);
    expect(await db.query('SELECT clip_ref FROM clip_files ORDER BY clip_ref')).toEqual(
      clipsBefore,
    );
    // The rest, from the acknowledged byte: the file arrives whole and is ingested once.
    let answer: Awaited<ReturnType<typeof patch>> | null = null;
    for (let at = offset; at < bytes.byteLength; at += TEST_CHUNK_MAX) {
      answer = await patch(uploadId, at, bytes.subarray(at, at + TEST_CHUNK_MAX));
      expect(answer.status).toBe(200);
    }
    expect(JSON.parse(answer?.bytes.toString('utf8') ?? '{}')).toMatchObject({
      state: 'done',
      outcome: { status: 'ok', clipRef: sha256(bytes) },
    });
    expect(await fixture.deps.blobs.stat(sha256(bytes))).toEqual({ size: bytes.byteLength });
    expect(fixture.files()[`staging/uploads/${uploadId}`]).toBeUndefined();
  });
});
