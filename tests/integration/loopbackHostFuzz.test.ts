import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackHost, type RunningHost } from '../../src/main/host/loopbackHost';
import type { ApiHandlers } from '../../src/shared/api/contract';
import { createServices, type Services } from '../../src/main/services/createServices';
import { callNames, hostileCall } from '../support/contractFuzz';
import { checkProperty, hostileString, percentEncoded } from '../support/fuzz';
import { rawRequest, rawSocket } from '../support/rawRequest';
import { tempDir } from './fixturePaths';

/**
 * Fuzz properties for the loopback host: every contract call with hostile input, hostile request
 * lines and headers, and raw bytes on the socket. The host must answer each below 500 (or close
 * the connection) and still serve afterwards; a refused call must not reach its handler.
 */

/** Calls that only read go to the real services; the rest only record that they were reached. */
const READS = /^(list|get|load|verify)/;

let services: Services;
let host: RunningHost;
let dir: { path: string; remove: () => void };
const writesReached: string[] = [];

beforeAll(async () => {
  dir = tempDir('host-fuzz');
  services = createServices({ databasePath: join(dir.path, 'framewise.sqlite'), actor: 'tester' });
  const handlers = Object.fromEntries(
    callNames.map((name) => [
      name,
      READS.test(name)
        ? services.handlers[name]
        : () => {
            writesReached.push(name);
            return null;
          },
    ]),
  ) as unknown as ApiHandlers;
  host = await startLoopbackHost({ services: { ...services, handlers }, rendererDir: null });
});

afterAll(async () => {
  await host.close();
  services.close();
  dir.remove();
});

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

async function alive(): Promise<boolean> {
  const reply = await rawRequest(
    host.port,
    'POST',
    '/api/listBatches',
    { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
    '{}',
  );
  return reply.status === 200;
}

/** Header values with no CR or LF, so the request stays one request (garbage has its own test). */
const headerValue = hostileString.map((s) => s.replace(/[\r\n]/g, ''));

const requestLine = fc.record({
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PRI', 'G ET'),
  path: fc.oneof(
    fc.constantFrom('//[', '//evil.example:99999/api/events', '/%', '/media/%E0%A4%A', '*', ''),
    fc.constantFrom('/api/events', '/api/listBatches', '/media/x%', 'http://[/', '/..%2f..%2f'),
    hostileString.map((s) => `/${percentEncoded(s).slice(0, 300)}`),
    hostileString.map((s) => `/media/${s.replace(/[\s]/g, '')}`),
    hostileString.map((s) => `/api/${s.replace(/[\s]/g, '')}`),
  ),
  host: fc.oneof(
    fc.constant('right'),
    fc.constantFrom('', 'a b', '[', '%zz', 'evil.example:80', 'localhost', '127.0.0.1:0'),
    headerValue,
  ),
  token: fc.constantFrom('bearer', 'cookie', 'query', 'none', 'wrong'),
  upgrade: fc.boolean(),
  extra: fc.dictionary(
    fc.constantFrom('Origin', 'Range', 'Content-Type', 'Cookie', 'Sec-WebSocket-Key', 'X-Odd'),
    headerValue,
    { maxKeys: 3 },
  ),
});

describe('loopback host fuzz', () => {
  it('answers every contract call with hostile input below 500; refusals reach no handler', async () => {
    await checkProperty(
      'loopback host: contract calls',
      fc.asyncProperty(hostileCall, async ([name, input]) => {
        const before = writesReached.length;
        const reply = await rawRequest(
          host.port,
          'POST',
          `/api/${percentEncoded(name)}`,
          { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
          // undefined has no JSON form: the request then goes without a body.
          JSON.stringify(input),
        );
        expect(reply.status).toBeLessThan(500);
        const envelope = JSON.parse(reply.body.toString('utf8')) as {
          ok: boolean;
          error?: { code: string; message: string };
        };
        if (reply.status !== 200) {
          expect(envelope.ok).toBe(false);
          expect(typeof envelope.error?.code).toBe('string');
          expect(writesReached.length).toBe(before);
        }
      }),
      150,
    );
    expect(await alive()).toBe(true);
  });

  it('answers hostile request lines and headers below 500 and keeps serving', async () => {
    await checkProperty(
      'loopback host: request lines and headers',
      fc.asyncProperty(requestLine, async (line) => {
        const token = host.token;
        const path =
          line.token === 'query'
            ? `${line.path}${line.path.includes('?') ? '&' : '?'}token=${token}`
            : line.path;
        const headers = [
          `Host: ${line.host === 'right' ? `127.0.0.1:${host.port}` : line.host}`,
          'Connection: close',
          ...(line.token === 'bearer' ? [`Authorization: Bearer ${token}`] : []),
          ...(line.token === 'cookie' ? [`Cookie: fw_token=${token}`] : []),
          ...(line.token === 'wrong' ? ['Authorization: Bearer nope'] : []),
          ...(line.upgrade
            ? ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13']
            : []),
          ...Object.entries(line.extra).map(([name, value]) => `${name}: ${value}`),
        ];
        const answer = await rawSocket(
          host.port,
          Buffer.from(`${line.method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'),
          100,
        );
        if (answer !== '') expect(statusOf(answer)).toBeLessThan(500);
        expect(await alive()).toBe(true);
      }),
      120,
      2,
    );
  });

  it('survives raw bytes on the socket', async () => {
    await checkProperty(
      'loopback host: raw socket bytes',
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.string({ unit: 'binary', maxLength: 500 }).map((s) => Buffer.from(`GET /${s}`)),
          fc
            .string({ maxLength: 500 })
            .map((s) => Buffer.from(`POST /api/listBatches HTTP/1.1\r\n${s}`)),
        ),
        async (bytes) => {
          const answer = await rawSocket(host.port, Buffer.from(bytes), 100);
          if (answer !== '') expect(statusOf(answer)).toBeLessThan(500);
          expect(await alive()).toBe(true);
        },
      ),
      40,
      2,
    );
  });
});
