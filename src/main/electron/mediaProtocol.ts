import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { protocol } from 'electron';
import { answerRange, videoContentType } from '../../shared/domain/byteRange';
import type { Store } from '../services/store/Store';
import { MEDIA_SCHEME } from '../../shared/api/ipcChannels';

export { MEDIA_SCHEME };

/** Must run before `app.ready`: lets <video> stream and seek the scheme like http. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: MEDIA_SCHEME,
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        stream: true,
        corsEnabled: true,
      },
    },
  ]);
}

/**
 * Serves `framewise-media://clip/<id>` by clip id (`?variant=proxy`: its H.264 proxy). The
 * renderer never names a path, so a compromised page can read only clips the user imported.
 */
export function handleMediaScheme(store: Store): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const clipId = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const clipPath = url.hostname === 'clip' ? store.media.getClipFilePath(clipId) : undefined;
    if (!clipPath) return new Response(`No clip with id ${clipId}.`, { status: 404 });
    const variant = url.searchParams.get('variant') ?? 'original';
    if (variant !== 'original' && variant !== 'proxy') {
      return new Response(`Unknown media variant "${variant}": use "original" or "proxy".`, {
        status: 400,
      });
    }
    // The proxy's path comes from the store (set once it passed its frame check), never the URL.
    const proxy = variant === 'proxy' ? store.media.getProxy(clipId) : undefined;
    const filePath =
      variant === 'proxy' ? (proxy?.state === 'ready' ? proxy.filePath : null) : clipPath;
    if (!filePath) {
      return new Response(
        `Clip ${clipId} has no ready proxy yet: ask for one (ensureProxy) and wait for it to be ready.`,
        { status: 404 },
      );
    }
    let size: number;
    try {
      size = (await stat(filePath)).size;
    } catch {
      return new Response(
        variant === 'proxy'
          ? 'The proxy file is no longer on disk: ask for the proxy again.'
          : 'The clip file is no longer on disk: re-import its batch.',
        { status: 410 },
      );
    }
    const range = answerRange(request.headers.get('range'), size);
    if (range.status === 416) {
      return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
    }
    const headers: Record<string, string> = {
      'Content-Type': videoContentType(filePath),
      'Content-Length': String(range.end - range.start + 1),
      'Accept-Ranges': 'bytes',
      // The page (file://, origin "null") fetches ranges for the frame cache; only this app's
      // session has the scheme, so no other origin can use the header.
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'Content-Range, Content-Length',
    };
    if (range.status === 206)
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    const body = Readable.toWeb(createReadStream(filePath, { start: range.start, end: range.end }));
    return new Response(body as ReadableStream, { status: range.status, headers });
  });
}
