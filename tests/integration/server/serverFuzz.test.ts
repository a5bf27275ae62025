import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../../src/server/boundary';
import type { Db } from '../../../src/server/db/Db';
import {
  checkProperty,
  hostileJson,
  hostileString,
  mutated,
  percentEncoded,
} from '../../support/fuzz';
import { databaseState } from './databaseState';
import { samples, type RouteSample } from './routeSamples';
import { seededServer, type Backend, type DeliveryFixture, type Team } from './serverHarness';

/**
 * Fuzz property for the central server: every route, as any team member or a stranger, with
 * hostile path parameters, query parameters, headers and bodies (a valid body with one field
 * made hostile, or any JSON, or bytes that are not JSON). The server answers below 500, every
 * refusal in `{ error: { code, message } }`, and a refusal changes nothing, except that a write
 * refused by its route is stored under its Idempotency-Key so a retry gets the same answer.
 */

// PostgreSQL too when CI (or the developer) provides one; the fuzz must not start its own.
const backends: Backend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

const printable = (text: string): string => text.replace(/[^\x20-\x7e]/g, '');

const QUERY_NAMES = ['cursor', 'limit', 'projectId', 'clipRef', 'fields', 'token', '__proto__'];

/** Range headers as players, download managers and attackers write them. */
const hostileRange = fc.oneof(
  fc.constantFrom('bytes=0-', 'bytes=-1', 'bytes=0-0,0-0', 'bytes=5-2', 'bytes=-0', 'items=1-2'),
  fc
    .tuple(
      fc.option(fc.bigInt({ min: -1n, max: 10n ** 20n })),
      fc.option(fc.bigInt({ min: -1n, max: 10n ** 20n })),
    )
    .map(([a, b]) => `bytes=${a ?? ''}-${b ?? ''}`),
  hostileString.map(printable),
);

type HostileRequest = {
  route: string;
  who: string;
  params: (string | null)[];
  query: [string, string][];
  key: string | null;
  /** Headers of the delivery routes: a Range on any GET, an upload chunk's on any write. */
  range: string | null;
  chunk: { offset: string; bytes: Uint8Array } | null;
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; bytes: Uint8Array } | { kind: 'none' };
};

function hostileRequest(table: Record<string, RouteSample>): fc.Arbitrary<HostileRequest> {
  return fc.constantFrom(...Object.keys(table)).chain((route) => {
    const sample = table[route] as RouteSample;
    return fc.record({
      route: fc.constant(route),
      who: fc.constantFrom('sample', 'ann1', 'ann2', 'rev1', 'lead1', 'lead2', 'stranger', 'none'),
      params: fc.array(fc.option(hostileString, { freq: 2 }), { minLength: 2, maxLength: 2 }),
      query: fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), hostileString), hostileString),
        { maxLength: 3 },
      ),
      key: fc.option(hostileString.map(printable), { freq: 4 }),
      range: fc.option(hostileRange, { freq: 3 }),
      chunk: fc.option(
        fc.record({
          offset: fc.oneof(fc.nat({ max: 20_000 }).map(String), hostileString.map(printable)),
          bytes: fc.uint8Array({ maxLength: 2_000 }),
        }),
        { freq: 3 },
      ),
      body: fc.oneof(
        {
          weight: 5,
          arbitrary: mutated(sample.body ?? {}).map((value) => ({ kind: 'json' as const, value })),
        },
        { weight: 2, arbitrary: hostileJson.map((value) => ({ kind: 'json' as const, value })) },
        {
          weight: 1,
          arbitrary: fc
            .oneof(
              fc.uint8Array({ maxLength: 300 }),
              fc
                .constantFrom('{"a":', '{"__proto__":{"x":1}}', '[1,2', '\u0000')
                .map((t) => Buffer.from(t)),
            )
            .map((bytes) => ({ kind: 'raw' as const, bytes })),
        },
        { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
      ),
    });
  });
}

describe.each(backends)('central server fuzz on %s', (backend) => {
  let db: Db;
  let app: FastifyInstance;
  let url: string;
  let team: Team;
  let close: () => Promise<void>;

  let delivery: DeliveryFixture | undefined;

  beforeAll(async () => {
    // With the clip delivery routes (upload, deliveries, clip file) and real targets for them.
    ({ db, team, app, url, close, delivery } = await seededServer(backend, undefined, {
      delivery: true,
    }));
  });

  afterAll(() => close());

  /**
   * Every table but the idempotency store, which keeps refusals by design, and every file the
   * server keeps (blobs, staged upload bytes).
   */
  async function state(): Promise<Record<string, unknown>> {
    const all: Record<string, unknown> = await databaseState(db);
    delete all.idempotency_keys;
    all.files = delivery?.files();
    return all;
  }

  it('answers every route below 500, refusals in the error shape and changing nothing', async () => {
    const table = samples(team, delivery);
    expect(Object.keys(table).sort()).toEqual(
      routesOf(app)
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    );
    const tokens: Record<string, string> = { ...team.tokens, stranger: 'fw_not-a-real-token' };
    await checkProperty(
      `server (${backend}): every route`,
      fc.asyncProperty(hostileRequest(table), async (request) => {
        const sample = table[request.route] as RouteSample;
        const [method = 'GET', pattern = '/'] = request.route.split(' ');
        const [pathPart = '', queryPart] = sample.path.split('?');
        // Swap each :param of the route for the hostile value chosen for it, if any.
        const realSegments = pathPart.split('/');
        const path = pattern
          .split('/')
          .map((segment, index) => {
            if (!segment.startsWith(':')) return segment;
            const hostile = request.params[index % 2];
            return hostile === null || hostile === undefined
              ? (realSegments[index] ?? '')
              : percentEncoded(hostile);
          })
          .join('/');
        const query = [
          ...(queryPart === undefined ? [] : [queryPart]),
          ...request.query.map(([k, v]) => `${percentEncoded(k)}=${percentEncoded(v)}`),
        ].join('&');
        const headers: Record<string, string> = {};
        const token = request.who === 'sample' ? sample.token : tokens[request.who];
        if (token !== undefined) headers.authorization = `Bearer ${token}`;
        if (request.key !== null) headers['idempotency-key'] = request.key;
        if (request.range !== null && method === 'GET') headers.range = request.range;
        let body: string | Uint8Array | undefined;
        if (request.chunk !== null && method !== 'GET') {
          headers['content-type'] = 'application/offset+octet-stream';
          headers['upload-offset'] = request.chunk.offset;
          body = request.chunk.bytes;
        } else if (request.body.kind !== 'none' && method !== 'GET') {
          headers['content-type'] = 'application/json';
          body =
            request.body.kind === 'raw' ? request.body.bytes : JSON.stringify(request.body.value);
        }
        const before = await state();
        const response = await fetch(`${url}${path}${query === '' ? '' : `?${query}`}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
        });
        const text = await response.text();
        expect(response.status, text).toBeLessThan(500);
        if (response.status >= 400) {
          const answer = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof answer.error?.code, text).toBe('string');
          expect(typeof answer.error?.message, text).toBe('string');
          // The one refusal that changes something: an upload whose last chunk makes bytes of
          // another sha256 starts over from byte 0 (and says so), its staged bytes deleted.
          if (answer.error?.code !== 'CHECKSUM_MISMATCH') expect(await state()).toEqual(before);
        }
      }),
      80,
    );
  });
});
