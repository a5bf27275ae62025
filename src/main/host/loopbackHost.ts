import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { Envelope } from '../../shared/api/contract';
import { contentSecurityPolicy } from '../../shared/api/contentSecurityPolicy';
import { dispatchCall } from '../services/api/dispatch';
import type { Services } from '../services/createServices';
import { answerRange, videoContentType } from '../../shared/domain/byteRange';

export type HostOptions = {
  services: Services;
  /** Built renderer (index.html and assets); the API still works without it. */
  rendererDir: string | null;
  port?: number;
  token?: string;
};

export type RunningHost = { url: string; port: number; token: string; close: () => Promise<void> };

const COOKIE = 'fw_token';
const MAX_BODY_BYTES = 1024 * 1024;
const CSP = contentSecurityPolicy();
const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return null;
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendEnvelope(res: ServerResponse, envelope: Envelope<unknown>): void {
  let status = 200;
  if (!envelope.ok) {
    const code = envelope.error.code;
    status =
      code === 'UNAUTHORIZED'
        ? 401
        : code === 'FORBIDDEN'
          ? 403
          : code === 'NOT_FOUND' || code === 'UNKNOWN_CALL'
            ? 404
            : code === 'INTERNAL'
              ? 500
              : code === 'PAYLOAD_TOO_LARGE'
                ? 413
                : 400;
  }
  send(res, status, JSON.stringify(envelope), 'application/json');
}

function errorEnvelope(code: string, message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

/**
 * The request target as a URL on this host, or null when no URL can be made of it. The target is
 * appended to a fixed origin rather than resolved against the Host header, so `//evil.example:1`
 * stays a path and a malformed Host (`a b`, `[`) cannot throw: a local process sending either
 * must get a 400, not kill `framewise serve`.
 */
function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  if (!target.startsWith('/')) return null;
  try {
    return new URL(`http://127.0.0.1${target}`);
  } catch {
    return null;
  }
}

/** A percent-decoded path segment, or null for a malformed escape (`%`, `%E0%A4%A`). */
function decodedPath(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

const BAD_URL = 'Malformed request URL.';

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RangeError('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

/**
 * Serves the renderer and the same services as the Electron IPC bridge over 127.0.0.1, so the
 * app runs in a plain browser. Every request needs the per-launch token; Host and Origin are
 * checked so other web pages (and DNS rebinding) cannot reach it.
 */
export async function startLoopbackHost(options: HostOptions): Promise<RunningHost> {
  const { services } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = options.port ?? 0;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  const authorized = (req: IncomingMessage, url: URL): 'cookie' | 'query' | 'header' | null => {
    const cookie = cookieToken(req);
    if (cookie !== null && sameSecret(cookie, token)) return 'cookie';
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && sameSecret(bearer, token)) return 'header';
    const query = url.searchParams.get('token');
    if (query !== null && sameSecret(query, token)) return 'query';
    return null;
  };

  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || allowedOrigins().includes(origin);
  };

  /** `pathname` is already percent-decoded. */
  const serveStatic = async (res: ServerResponse, pathname: string, setCookie: boolean) => {
    if (!options.rendererDir) {
      send(res, 404, 'The renderer is not built here: run `npm run build` first.');
      return;
    }
    const root = resolve(options.rendererDir);
    const wanted = pathname === '/' ? '/index.html' : pathname;
    const file = resolve(root, normalize('.' + wanted));
    if (file !== root && !file.startsWith(root + sep)) {
      send(res, 404, 'Not found');
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      send(res, 404, 'Not found');
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (setCookie) {
      headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    res.end(body);
  };

  const serveMedia = async (
    req: IncomingMessage,
    res: ServerResponse,
    clipId: string,
    variant: string | null,
  ) => {
    const clipPath = services.store.media.getClipFilePath(clipId);
    if (!clipPath) {
      send(res, 404, `No clip with id ${clipId}.`);
      return;
    }
    if (variant !== null && variant !== 'original' && variant !== 'proxy') {
      send(res, 400, `Unknown media variant "${variant}": use "original" or "proxy".`);
      return;
    }
    // The proxy's path comes from the store (set once it passed its frame check), never the URL.
    const filePath = variant === 'proxy' ? services.proxies.readyFile(clipId) : clipPath;
    if (!filePath) {
      send(
        res,
        404,
        `Clip ${clipId} has no ready proxy yet: ask for one (ensureProxy) and wait for proxyUpdate "ready".`,
      );
      return;
    }
    let size: number;
    try {
      size = (await stat(filePath)).size;
    } catch {
      send(res, 410, 'The clip file is no longer on disk: re-import its batch.');
      return;
    }
    const range = answerRange(req.headers.range, size);
    if (range.status === 416) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    res.writeHead(range.status, {
      'Content-Type': videoContentType(filePath),
      'Content-Length': String(range.end - range.start + 1),
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'no-store',
      ...(range.status === 206
        ? { 'Content-Range': `bytes ${range.start}-${range.end}/${size}` }
        : {}),
    });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    const stream = createReadStream(filePath, { start: range.start, end: range.end });
    stream.on('error', (error) => res.destroy(error));
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      send(res, 421, 'Wrong Host header: open the URL that framewise serve printed.');
      return;
    }
    const url = requestUrl(req);
    if (url === null) {
      send(res, 400, BAD_URL);
      return;
    }
    const auth = authorized(req, url);
    if (auth === null) {
      if (url.pathname.startsWith('/api/')) {
        sendEnvelope(
          res,
          errorEnvelope(
            'UNAUTHORIZED',
            'Missing or wrong token: open the URL that framewise serve printed.',
          ),
        );
      } else {
        send(
          res,
          401,
          'Missing or wrong token: open the URL that `framewise serve` printed (it carries ?token=…).',
        );
      }
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        sendEnvelope(res, errorEnvelope('METHOD_NOT_ALLOWED', 'API calls are POST requests.'));
        return;
      }
      if (!originAllowed(req)) {
        sendEnvelope(res, errorEnvelope('FORBIDDEN', 'Requests from other web pages are refused.'));
        return;
      }
      let input: unknown;
      try {
        input = await readJsonBody(req);
      } catch (error) {
        sendEnvelope(
          res,
          error instanceof RangeError
            ? errorEnvelope('PAYLOAD_TOO_LARGE', 'The request body is over 1 MiB.')
            : errorEnvelope('INVALID_INPUT', 'The request body is not valid JSON.'),
        );
        return;
      }
      const name = decodedPath(url.pathname.slice('/api/'.length));
      if (name === null) {
        sendEnvelope(res, errorEnvelope('INVALID_INPUT', BAD_URL));
        return;
      }
      sendEnvelope(res, await dispatchCall(services.handlers, name, input));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed');
      return;
    }
    if (url.pathname.startsWith('/media/')) {
      const clipId = decodedPath(url.pathname.slice('/media/'.length));
      if (clipId === null) {
        send(res, 400, BAD_URL);
        return;
      }
      await serveMedia(req, res, clipId, url.searchParams.get('variant'));
      return;
    }
    const pathname = decodedPath(url.pathname);
    if (pathname === null) {
      send(res, 400, BAD_URL);
      return;
    }
    await serveStatic(res, pathname, auth === 'query');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('Loopback host request failed', error);
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  // What Node's parser refuses (headers over 16 KiB, a malformed request line) still gets an
  // envelope, so a client reads every refusal the same way.
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? ['431 Request Header Fields Too Large', 'PAYLOAD_TOO_LARGE']
        : ['400 Bad Request', 'INVALID_INPUT'];
    const body = JSON.stringify(
      errorEnvelope(code, 'The request is not valid HTTP or is too large.'),
    );
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nConnection: close\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  });

  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    // Node hands the socket over without its error listener: a peer resetting it mid-refusal
    // would otherwise be an uncaught 'error' that ends the process.
    socket.on('error', () => socket.destroy());
    const refuse = (status: string) => {
      const answer = `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
      socket.end(answer, () => socket.destroy());
    };
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      refuse('421 Misdirected Request');
      return;
    }
    const url = requestUrl(req);
    if (url === null) {
      refuse('400 Bad Request');
      return;
    }
    if (url.pathname !== '/api/events' || !originAllowed(req) || authorized(req, url) === null) {
      refuse('401 Unauthorized');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const unsubscribe = services.events.subscribe((event, payload) => {
        ws.send(JSON.stringify({ event, payload }));
      });
      ws.on('close', unsubscribe);
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

export function defaultRendererDir(appRoot: string): string {
  return join(appRoot, 'out', 'renderer');
}
