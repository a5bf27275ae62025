import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkKey, type BlobStore } from './blobStore';

/**
 * Blobs as files under one folder, fanned out by the hash's first two bytes so no directory holds
 * millions of entries. A blob is written under a temporary name in the same file system and
 * renamed into place once its hash is checked and its bytes synced, so a crash never leaves a
 * partial file under a real key.
 */
export class FolderBlobStore implements BlobStore {
  readonly kind = 'folder';

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<FolderBlobStore> {
    await mkdir(join(dir, 'tmp'), { recursive: true });
    return new FolderBlobStore(dir);
  }

  pathOf(sha256: string): string {
    checkKey(sha256);
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async putFile(sha256: string, path: string): Promise<void> {
    const target = this.pathOf(sha256);
    if ((await this.stat(sha256)) !== null) return;
    const temp = join(this.dir, 'tmp', `${sha256}.${randomBytes(6).toString('hex')}`);
    try {
      const hash = createHash('sha256');
      const out = createWriteStream(temp, { flags: 'wx' });
      await pipeline(
        createReadStream(path),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
        },
        out,
      );
      const actual = hash.digest('hex');
      if (actual !== sha256) {
        throw new Error(`${path} hashes to ${actual}, not the ${sha256} it was stored as`);
      }
      await syncFile(temp);
      await mkdir(join(target, '..'), { recursive: true });
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    try {
      return { size: (await stat(this.pathOf(sha256))).size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  read(sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    const stream = createReadStream(this.pathOf(sha256), range);
    return new Promise((resolve, reject) => {
      stream.once('open', () => resolve(stream));
      stream.once('error', reject);
    });
  }

  async getFile(sha256: string, path: string): Promise<void> {
    await copyFile(this.pathOf(sha256), path, constants.COPYFILE_EXCL);
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  async close(): Promise<void> {}
}

async function syncFile(path: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
