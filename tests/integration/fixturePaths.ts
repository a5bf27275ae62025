import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const fixtureBatch = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');

export const goodClips = [
  'cfr30.mp4',
  'ntsc2997.mp4',
  'cfr60.mp4',
  'vfr.mp4',
  'rotated.mov',
  'clip.webm',
  'hevc.mp4',
] as const;

export const badClips = {
  'truncated.mp4': 'TRUNCATED',
  'empty.mp4': 'EMPTY_FILE',
  'notes.mp4': 'NOT_A_VIDEO',
  'mpeg4.mp4': 'UNSUPPORTED_CODEC',
} as const;

/** Fails loudly rather than skipping: a missing fixture set is a broken setup, not a pass. */
export function requireFixtures(): void {
  if (!existsSync(join(fixtureBatch, 'cfr30.mp4'))) {
    throw new Error('Test videos are missing: run `npm run fixtures` (needs ffmpeg) first.');
  }
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `framewise-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
