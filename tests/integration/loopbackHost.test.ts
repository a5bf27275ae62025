import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServices, type Services } from '../../src/main/services/createServices';
import { startLoopbackHost, type RunningHost } from '../../src/main/host/loopbackHost';
import { fixtureBatch, requireFixtures, tempDir } from './fixturePaths';
import { rawRequest, rawSocket, type RawReply } from '../support/rawRequest';

let services: Services;
let host: RunningHost;
let dir: { path: string; remove: () => void };

beforeAll(async () => {
  requireFixtures();
  dir = tempDir('host');
  services = createServices({ databasePath: join(dir.path, 'framewise.sqlite'), actor: 'tester' });
  // As `framewise serve` does.
  services.start();
  host = await startLoopbackHost({ services, rendererDir: null });
});

afterAll(async () => {
  await host.close();
  services.close();
  dir.remove();
});

/** Raw requests, so Host and Origin can be set the way a hostile page or DNS rebinding would. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawReply> {
  return rawRequest(host.port, method, path, headers, body);
}

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${host.token}` });

async function call(
  name: string,
  input: unknown,
  headers = auth(),
): Promise<{ status: number; json: unknown }> {
  const reply = await raw(
    'POST',
    `/api/${name}`,
    { 'Content-Type': 'application/json', ...headers },
    JSON.stringify(input),
  );
  return { status: reply.status, json: JSON.parse(reply.body.toString('utf8')) as unknown };
}

describe('loopback host', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the token', () => {
    expect(host.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=${host.token}$`),
    );
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses calls without the token or with a wrong one', async () => {
    const none = await call('listBatches', {}, {});
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const wrong = await call('listBatches', {}, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('refuses another Host header, as DNS rebinding would send', async () => {
    const reply = await raw(
      'POST',
      '/api/listBatches',
      { ...auth(), Host: 'evil.example:80' },
      '{}',
    );
    expect(reply.status).toBe(421);
  });

  it('refuses calls from another origin even with the cookie', async () => {
    const reply = await call(
      'listBatches',
      {},
      { Cookie: `fw_token=${host.token}`, Origin: 'http://evil.example' },
    );
    expect(reply.status).toBe(403);
  });

  it('validates input at the boundary and names the field', async () => {
    const reply = await call('listClips', { batchId: 7 });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(JSON.stringify(reply.json)).toContain('batchId');
    const unknown = await call('dropDatabase', {});
    expect(unknown.status).toBe(404);
  });

  it('imports over HTTP, pushes progress over the WebSocket, and serves the clip by id with Range', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/events`, {
      headers: { Cookie: `fw_token=${host.token}`, Origin: `http://127.0.0.1:${host.port}` },
    });
    const events: { event: string }[] = [];
    ws.on('message', (data: Buffer) =>
      events.push(JSON.parse(data.toString('utf8')) as { event: string }),
    );
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    const imported = await call('importBatch', { folder: fixtureBatch });
    expect(imported.status).toBe(200);
    const report = (
      imported.json as { value: { files: { relativePath: string; clipId?: string }[] } }
    ).value;
    const clipId = report.files.find((f) => f.relativePath === 'cfr30.mp4')?.clipId;
    expect(clipId).toBeDefined();
    await services.checksums.whenIdle();
    await new Promise((r) => setTimeout(r, 50));
    expect(events.some((e) => e.event === 'importProgress')).toBe(true);
    expect(events.some((e) => e.event === 'checksumUpdate')).toBe(true);
    ws.close();

    const bytes = readFileSync(join(fixtureBatch, 'cfr30.mp4'));
    const part = await raw('GET', `/media/${clipId ?? ''}`, { ...auth(), Range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
    expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
    const whole = await raw('GET', `/media/${clipId ?? ''}`, auth());
    expect(whole.status).toBe(200);
    expect(whole.body.equals(bytes)).toBe(true);
    const past = await raw('GET', `/media/${clipId ?? ''}`, {
      ...auth(),
      Range: `bytes=${bytes.length}-`,
    });
    expect(past.status).toBe(416);
  });

  it('serves media by clip id only: a path is not a clip', async () => {
    const reply = await raw('GET', `/media/${encodeURIComponent('/etc/passwd')}`, auth());
    expect(reply.status).toBe(404);
    const traversal = await raw('GET', '/media/../../etc/passwd', auth());
    expect(traversal.status).toBe(404);
  });

  it('refuses a WebSocket without the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/events`);
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});

describe('loopback host under hostile input', () => {
  const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

  /** The host still answers a real call: it did not exit and did not wedge. */
  async function expectAlive(): Promise<void> {
    expect((await call('listBatches', {})).status).toBe(200);
  }

  it.each([[''], ['a b'], ['['], ['%zz']])(
    'refuses a WebSocket upgrade with Host "%s" and keeps serving',
    async (hostHeader) => {
      const answer = await rawSocket(
        host.port,
        `GET /api/events?token=${host.token} HTTP/1.1\r\nHost: ${hostHeader}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      expect(statusOf(answer)).toBeGreaterThanOrEqual(400);
      expect(statusOf(answer)).toBeLessThan(500);
      await expectAlive();
    },
  );

  it.each([['//['], ['//evil.example:99999/api/events'], ['/%'], ['http://[/api/events']])(
    'refuses a WebSocket upgrade to %s with the right Host and keeps serving',
    async (path) => {
      const answer = await rawSocket(
        host.port,
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n` +
          `Authorization: Bearer ${host.token}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      expect([400, 401]).toContain(statusOf(answer));
      await expectAlive();
    },
  );

  it.each([['/media/%E0%A4%A'], ['/media/some-clip%'], ['/%'], ['/api/list%Batches']])(
    'answers 400, not 500, for the malformed path %s with a valid token',
    async (path) => {
      const reply = path.startsWith('/api/')
        ? await raw('POST', path, auth(), '{}')
        : await raw('GET', path, auth());
      expect(reply.status).toBe(400);
      await expectAlive();
    },
  );

  it('answers a request line over 16 KiB with an envelope (found by the fuzz run)', async () => {
    const reply = await raw('POST', `/api/${'x'.repeat(17_000)}`, auth(), '{}');
    expect(reply.status).toBe(431);
    expect(JSON.parse(reply.body.toString('utf8'))).toMatchObject({
      ok: false,
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    await expectAlive();
  });

  it('treats //[ as a path on this host, not as another host to parse', async () => {
    const reply = await raw('GET', '//[', auth());
    expect(reply.status).toBe(404);
    await expectAlive();
  });

  it('answers raw garbage on the socket with a 4xx or a closed connection, and keeps serving', async () => {
    for (const garbage of [
      '\x00\x01\x02\r\n\r\n',
      'GET\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nContent-Length: -1\r\n\r\n`,
      'GET /api/events HTTP/1.1\r\nHost: \r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    ]) {
      const answer = await rawSocket(host.port, garbage);
      if (answer !== '') expect(statusOf(answer)).toBeGreaterThanOrEqual(400);
      expect(statusOf(answer)).toBeLessThan(500);
    }
    await expectAlive();
  });
});
