import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LabelFileHandle, LabelFileSink } from '../../shared/formats';
import { utf8Block } from './utf8';

export type FolderSink = LabelFileSink & {
  /** The sha256 of a file written and closed through this sink, as `checksums.sha256` lists it. */
  sha256Of(relative: string): string | undefined;
};

/**
 * The export folder as `writeLabelFiles` writes it, for the workstation's export and the server's: new files only (`wx`, never over an existing
 * one), each block's pieces encoded straight into one buffer (never joined into one string first),
 * written whole and hashed on its way, so `checksums.sha256` need not read gigabytes back. The signal is checked per block: cancelling stops a long file within one block
 * (about 1 MiB).
 */
export function folderSink(root: string, signal?: AbortSignal): FolderSink {
  const writing = new Map<LabelFileHandle, { file: FileHandle; hash: Hash }>();
  const digests = new Map<string, string>();
  const put = async (target: { file: FileHandle; hash: Hash }, bytes: Uint8Array) => {
    signal?.throwIfAborted();
    target.hash.update(bytes);
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesWritten } = await target.file.write(bytes, done, bytes.byteLength - done);
      done += bytesWritten;
    }
  };
  return {
    async open(relative) {
      const path = join(root, relative);
      await mkdir(dirname(path), { recursive: true });
      const target = { file: await open(path, 'wx'), hash: createHash('sha256') };
      const handle: LabelFileHandle = {
        write: (pieces) => put(target, utf8Block(pieces)),
        close: async () => {
          writing.delete(handle);
          await target.file.close();
          digests.set(relative, target.hash.digest('hex'));
        },
      };
      writing.set(handle, target);
      return handle;
    },
    async appendFile(to, from) {
      const target = writing.get(to);
      if (target === undefined) throw new Error(`Cannot append ${from} to a closed file.`);
      const path = join(root, from);
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        await put(target, chunk as Buffer);
      }
      await rm(path);
      digests.delete(from);
    },
    sha256Of: (relative) => digests.get(relative),
  };
}
