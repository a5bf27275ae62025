import { createReadStream } from 'node:fs';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LabelFileHandle, LabelFileSink } from '../../../shared/formats';

/**
 * The export folder as `writeLabelFiles` writes it: new files only (`wx`, never over an existing
 * one), each block written whole. The signal is checked per block, so cancelling stops a long file
 * within one block (about 1 MiB).
 */
export function folderSink(root: string, signal: AbortSignal): LabelFileSink {
  const handles = new Map<LabelFileHandle, FileHandle>();
  return {
    async open(relative) {
      const path = join(root, relative);
      await mkdir(dirname(path), { recursive: true });
      const file = await open(path, 'wx');
      const handle: LabelFileHandle = {
        write: async (text) => {
          signal.throwIfAborted();
          await writeAll(file, Buffer.from(text, 'utf8'));
        },
        close: async () => {
          handles.delete(handle);
          await file.close();
        },
      };
      handles.set(handle, file);
      return handle;
    },
    async appendFile(to, from) {
      const file = handles.get(to);
      if (file === undefined) throw new Error(`Cannot append ${from} to a closed file.`);
      const path = join(root, from);
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        signal.throwIfAborted();
        await writeAll(file, chunk as Buffer);
      }
      await rm(path);
    },
  };
}

async function writeAll(file: FileHandle, bytes: Buffer): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}
