import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileReadError } from './fileReadError';

const CHUNK_BYTES = 1024 * 1024;

/**
 * Streamed sha256 of a whole file, hex. Reads in 1 MiB chunks, so memory stays flat for GB clips.
 * Aborting rejects with the signal's AbortError; a vanished or unreadable file is an ImportError.
 */
export async function sha256File(
  filePath: string,
  onProgress?: (bytesDone: number, totalBytes: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  signal?.throwIfAborted();
  const hash = createHash('sha256');
  try {
    const file = await open(filePath, 'r');
    try {
      const { size } = await file.stat();
      let done = 0;
      onProgress?.(0, size);
      // The signal is checked per chunk rather than handed to the stream: a stream aborted
      // mid-read rejects its pending read outside this function, as an unhandled rejection.
      const stream = createReadStream('', {
        fd: file,
        autoClose: false,
        highWaterMark: CHUNK_BYTES,
      });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        hash.update(chunk);
        done += chunk.byteLength;
        onProgress?.(done, size);
      }
    } finally {
      await file.close();
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw fileReadError(error, filePath);
  }
  return hash.digest('hex');
}

/**
 * sha256 over the size as a decimal string, then the first and the last MiB (overlapping, for
 * files under 2 MiB). Equal bytes give equal fingerprints, so re-importing a clip is a no-op
 * without hashing gigabytes first; the full sha256 follows in the background.
 */
export async function quickFingerprint(filePath: string): Promise<string> {
  try {
    const file = await open(filePath, 'r');
    try {
      const { size } = await file.stat();
      const hash = createHash('sha256').update(String(size));
      const head = Buffer.alloc(Math.min(CHUNK_BYTES, size));
      const tail = Buffer.alloc(Math.min(CHUNK_BYTES, size));
      await readExactly(file, head, 0);
      await readExactly(file, tail, size - tail.byteLength);
      return hash.update(head).update(tail).digest('hex');
    } finally {
      await file.close();
    }
  } catch (error) {
    throw fileReadError(error, filePath);
  }
}

async function readExactly(
  file: Awaited<ReturnType<typeof open>>,
  into: Buffer,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await file.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) throw new Error(`the file got shorter while it was read`);
    done += bytesRead;
  }
}
