import type { Socket } from 'node:net';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { findUnstorableInput } from '../shared/api/storableInput';
import { ServerError } from './serverError';

/**
 * The server's one input boundary, applied to every route at once rather than route by route:
 * text PostgreSQL cannot store and nesting deeper than any real document are refused before the
 * route's schema runs (see `findUnstorableInput`), and a route whose body schema would let an
 * unknown field through is refused when it is registered, so a new route cannot forget it.
 */

/** The largest value of a PostgreSQL `integer` column (`revision`, `events.id`, ...). */
export const INT32_MAX = 2 ** 31 - 1;

/**
 * A JSON-schema pattern for the decimal strings 0..max. Query parameters arrive as strings (types
 * are not coerced), so a column's range has to be said as a pattern.
 */
export function decimalUpTo(max: number): string {
  const digits = String(max);
  const alternatives = digits.length > 1 ? [`[0-9]{1,${digits.length - 1}}`] : [];
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[i]);
    if (digit === 0) continue;
    const rest = digits.length - i - 1;
    alternatives.push(`${digits.slice(0, i)}[0-${digit - 1}]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  alternatives.push(digits);
  return `^(?:${alternatives.join('|')})$`;
}

/** A write route that takes no body: none at all, or `{}`. */
export const EMPTY_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {},
} as const;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** One route as registered: what a test walks to prove every route refuses unknown fields. */
export type RouteSummary = { method: string; url: string; schema: RouteOptions['schema'] };

const routeTables = new WeakMap<FastifyInstance, RouteSummary[]>();

/** Every route `app` registered, in order. */
export function routesOf(app: FastifyInstance): readonly RouteSummary[] {
  return routeTables.get(app) ?? [];
}

function closed(schema: unknown): boolean {
  return (
    typeof schema === 'object' &&
    schema !== null &&
    (schema as { additionalProperties?: unknown }).additionalProperties === false
  );
}

function refuse(part: string, value: unknown): void {
  const problem = findUnstorableInput(value);
  if (problem === null) return;
  throw new ServerError(
    'INVALID_INPUT',
    `The ${part} is not valid: ${problem.path} ${problem.message}.`,
  );
}

/** Registers the boundary; call before any route. */
export function enforceInputBoundary(app: FastifyInstance): void {
  const table: RouteSummary[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const schema = route.schema;
      if (!closed(schema?.querystring)) {
        throw new Error(
          `${method} ${route.url}: its querystring schema must refuse unknown fields`,
        );
      }
      if (route.url.includes(':') && !closed(schema?.params)) {
        throw new Error(`${method} ${route.url}: its params schema must refuse unknown fields`);
      }
      if (BODY_METHODS.has(method) && !closed(schema?.body)) {
        throw new Error(`${method} ${route.url}: its body schema must refuse unknown fields`);
      }
      table.push({ method, url: route.url, schema });
    }
  });
  app.addHook('preValidation', (request, _reply, done) => {
    // No body at all is an empty one: a write that takes none (resolve) is sent without, and a
    // write that needs fields still finds them missing.
    if (request.body === undefined && BODY_METHODS.has(request.method)) request.body = {};
    try {
      refuse('path', request.params);
      refuse('query', request.query);
      refuse('body', request.body);
    } catch (error) {
      done(error as ServerError);
      return;
    }
    done();
  });
}

/**
 * Requests Node's parser refuses before Fastify sees them (headers over 16 KiB, malformed request
 * lines) answered in the project's error shape rather than Fastify's own.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          '431 Request Header Fields Too Large',
          'HEADERS_TOO_LARGE',
          'The request headers are over 16 KiB.',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['408 Request Timeout', 'REQUEST_TIMEOUT', 'The request took too long to arrive.']
        : ['400 Bad Request', 'BAD_REQUEST', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
