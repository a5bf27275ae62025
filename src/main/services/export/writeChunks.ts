import { open } from 'node:fs/promises';

/** Text is written in blocks of about this size: few syscalls, and memory holds one block. */
const BLOCK_CHARS = 1 << 20;

/**
 * Writes a writer's chunks to a new file (`wx`: never over an existing one), in blocks of about
 * 1 MiB. The signal is checked per block, so cancelling stops a long file within one block, and
 * the generator is only pulled as fast as the disk takes the blocks (memory stays bounded).
 */
export async function writeChunks(
  filePath: string,
  chunks: Iterable<string>,
  signal: AbortSignal,
): Promise<void> {
  const file = await open(filePath, 'wx');
  try {
    let block: string[] = [];
    let size = 0;
    const flush = async () => {
      const bytes = Buffer.from(block.join(''), 'utf8');
      block = [];
      size = 0;
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesWritten } = await file.write(bytes, done, bytes.byteLength - done);
        done += bytesWritten;
      }
    };
    for (const chunk of chunks) {
      block.push(chunk);
      size += chunk.length;
      if (size >= BLOCK_CHARS) {
        signal.throwIfAborted();
        await flush();
      }
    }
    signal.throwIfAborted();
    if (size > 0) await flush();
  } finally {
    await file.close();
  }
}
