import {
  accessSync,
  chmodSync,
  constants,
  mkdtempSync,
  readdirSync,
  rmSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RAM_DISK = '/dev/shm';
const PREFIX = 'framewise-vitest-';
/**
 * Below this much free room the run keeps the disk: a container's /dev/shm is often 64 MB, and
 * the tests' databases, clips and exports take hundreds of MB at once.
 */
const MIN_FREE_BYTES = 2 * 1024 ** 3;

/**
 * Vitest's globalSetup: the test files' temp folders (SQLite databases, PGlite data, exports, the
 * spawned CLIs' files, which all go through os.tmpdir()) live in RAM for the run. Every SQLite
 * commit is fsynced (`synchronous = FULL`), and on a VM's disk an fsync costs milliseconds: the
 * exactly-once push spent most of its time blocked in fsync, not sending. The files are real files
 * on a real file system either way; what RAM drops is only durability across a power cut, which
 * no test can cause (a killed process's writes are in the page cache on either).
 * What is kept across runs (the PGlite template) stays in the system's temp folder, named by
 * FRAMEWISE_TEST_CACHE_DIR. `FRAMEWISE_TEST_DISK_TMP=1` keeps the system's temp folder for all.
 */
export default function useRamTemp(): () => void {
  if (process.env.FRAMEWISE_TEST_DISK_TMP === '1' || !roomy(RAM_DISK)) return () => undefined;
  removeOrphans();
  // The pid in the name lets a later run tell an interrupted run's folder from a running one's.
  const dir = mkdtempSync(join(RAM_DISK, `${PREFIX}${process.pid}-`));
  // Traversable by other users, as /tmp is: the throwaway PostgreSQL cluster runs as `postgres`.
  chmodSync(dir, 0o755);
  // Read by os.tmpdir() at each call, and inherited by the test workers and the processes they
  // start, which are forked after the global setup.
  process.env.FRAMEWISE_TEST_CACHE_DIR ??= tmpdir();
  process.env.TMPDIR = dir;
  // Retried: a process a test started may still be writing there while it exits.
  return () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}

function roomy(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    const room = statfsSync(dir);
    return statSync(dir).isDirectory() && room.bavail * room.bsize >= MIN_FREE_BYTES;
  } catch {
    return false;
  }
}

/** A run that was interrupted (Ctrl-C twice, a kill) left its folder holding RAM: free it. */
function removeOrphans(): void {
  for (const name of readdirSync(RAM_DISK)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      rmSync(join(RAM_DISK, name), { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
