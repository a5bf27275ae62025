import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../../../node/media/sha256File';
import type { ClipDeliveryOffer } from '../../../shared/api/syncProtocol';
import { CodedError } from '../../../shared/domain/codedError';

/** A clip the server offers this account (`GET /v1/deliveries`), as the contract declares it. */
export type ClipDelivery = ClipDeliveryOffer;

export type DeliveryErrorCode =
  'DOWNLOAD_FAILED' | 'DOWNLOAD_CORRUPT' | 'CLIP_NOT_DELIVERABLE' | 'UNAUTHORIZED';

export class DeliveryError extends CodedError<DeliveryErrorCode> {
  override name = 'DeliveryError';
}

export type DownloadOptions = {
  fetch?: typeof fetch;
  /** Consecutive attempts that bring no new byte before giving up (the queue retries later). */
  maxAttempts?: number;
  onProgress?: (bytesDone: number, total: number) => void;
  /** Every byte is here and the file is being hashed. */
  onVerifying?: () => void;
  signal?: AbortSignal;
  /** Waits between attempts; tests pass a short one. */
  pauseMs?: (attempt: number) => number;
};

export type DownloadResult = {
  path: string;
  /** Bytes that crossed the network for this file, this call (a resume counts only the rest). */
  bytesReceived: number;
  /** Bytes already on disk when this call began (from an earlier, interrupted one). */
  resumedFrom: number;
  attempts: number;
};

const EXTENSIONS: Record<string, string> = {
  mp4: 'mp4',
  mov: 'mov',
  webm: 'webm',
  matroska: 'mkv',
};

export function deliveredFileName(delivery: ClipDelivery): string {
  return `${delivery.clipRef}.${EXTENSIONS[delivery.container] ?? 'bin'}`;
}

/**
 * Downloads one clip's delivered copy into `dir` with HTTP Range: bytes go to `<name>.part`,
 * appended as they arrive, so a dropped connection or a restart of the app continues from the
 * bytes on disk (If-Range with the copy's hash: a server that now has other bytes sends them
 * whole). The finished file is hashed and must be the sha256 the server named, or it is deleted
 * (DOWNLOAD_CORRUPT); only then is it renamed to its final name.
 */
export async function downloadClip(
  server: { baseUrl: string; token: string },
  delivery: ClipDelivery,
  dir: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const doFetch = options.fetch ?? fetch;
  const final = join(dir, deliveredFileName(delivery));
  const part = `${final}.part`;
  const maxAttempts = options.maxAttempts ?? 30;
  const etag = `"${delivery.sha256}"`;
  if ((await sizeOf(final)) === delivery.sizeBytes) {
    options.onVerifying?.();
    if ((await sha256File(final)) === delivery.sha256) {
      return { path: final, bytesReceived: 0, resumedFrom: delivery.sizeBytes, attempts: 0 };
    }
  }
  let have = await sizeOf(part);
  if (have > delivery.sizeBytes) {
    await rm(part, { force: true });
    have = 0;
  }
  const resumedFrom = have;
  let received = 0;
  let attempts = 0;
  let failures = 0;
  while (have < delivery.sizeBytes) {
    options.signal?.throwIfAborted();
    attempts += 1;
    let progressed = false;
    try {
      const response = await doFetch(
        `${server.baseUrl.replace(/\/$/, '')}/v1/clips/${delivery.clipRef}/file`,
        {
          headers: {
            authorization: `Bearer ${server.token}`,
            ...(have > 0 ? { range: `bytes=${have}-`, 'if-range': etag } : {}),
          },
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        },
      );
      if (response.status === 401) {
        throw new DeliveryError('UNAUTHORIZED', 'The server refused the token; sign in again.');
      }
      if (response.status === 404 || response.status === 403) {
        throw new DeliveryError(
          'CLIP_NOT_DELIVERABLE',
          'The server no longer offers this clip to you (unassigned or withdrawn).',
        );
      }
      if (response.status !== 200 && response.status !== 206) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      // 200: the whole file (a first request, or bytes that changed): start the part over.
      const from = response.status === 206 ? have : 0;
      const file = await open(part, from === 0 ? 'w' : 'r+');
      let position = from;
      try {
        if (response.body === null) throw new Error('no body');
        for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
          await file.write(piece, 0, piece.byteLength, position);
          position += piece.byteLength;
          received += piece.byteLength;
          progressed = true;
          options.onProgress?.(position, delivery.sizeBytes);
        }
      } finally {
        // What arrived stays: the next attempt (or the next launch) asks for the rest.
        await file.sync();
        await file.close();
        have = position;
      }
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      if (options.signal?.aborted) throw error;
      // A dropped connection: keep what is on disk and ask again below.
    }
    failures = progressed ? 0 : failures + 1;
    if (failures >= maxAttempts) {
      throw new DeliveryError(
        'DOWNLOAD_FAILED',
        `The clip's download got no byte in ${failures} attempts; ${have} of ` +
          `${delivery.sizeBytes} bytes are here and it continues from there next time.`,
      );
    }
    if (have < delivery.sizeBytes) {
      const wait = options.pauseMs?.(failures) ?? Math.min(5000, 100 * 2 ** Math.min(failures, 6));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  options.onVerifying?.();
  const actual = await sha256File(part);
  if (actual !== delivery.sha256) {
    await rm(part, { force: true });
    throw new DeliveryError(
      'DOWNLOAD_CORRUPT',
      `The downloaded bytes do not match the server's checksum (${actual.slice(0, 12)}…, not ` +
        `${delivery.sha256.slice(0, 12)}…): the copy was deleted; Retry downloads it again.`,
    );
  }
  await rename(part, final);
  return { path: final, bytesReceived: received, resumedFrom, attempts };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
