import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleIsCurrent } from '../../scripts/cliBundle.mjs';
import { tempDir } from './fixturePaths';

describe('the CLI bundle is used only while it matches the sources', () => {
  let dir: { path: string; remove: () => void };
  const builtAt = Date.parse('2026-12-01T10:00:00Z');
  const at = (iso: string) => new Date(iso);

  beforeEach(() => {
    dir = tempDir('cli-bundle');
    mkdirSync(join(dir.path, 'src'));
    for (const name of ['a.ts', 'b.ts']) {
      writeFileSync(join(dir.path, 'src', name), '');
      utimesSync(
        join(dir.path, 'src', name),
        at('2026-12-01T09:00:00Z'),
        at('2026-12-01T09:00:00Z'),
      );
    }
  });
  afterEach(() => dir.remove());

  const writeManifest = () => {
    mkdirSync(join(dir.path, 'out', 'cli'), { recursive: true });
    writeFileSync(
      join(dir.path, 'out', 'cli', 'manifest.json'),
      JSON.stringify({ builtAt, inputs: ['src/a.ts', 'src/b.ts'] }),
    );
  };

  it('is current when every source it was built from is older than the build', () => {
    writeManifest();
    expect(bundleIsCurrent(dir.path)).toBe(true);
  });

  it('is stale once a source is edited (or checked out) after the build', () => {
    writeManifest();
    const edited = at('2026-12-01T10:00:01Z');
    utimesSync(join(dir.path, 'src', 'b.ts'), edited, edited);
    expect(bundleIsCurrent(dir.path)).toBe(false);
  });

  it('is stale when a source it was built from is gone, and absent without a manifest', () => {
    expect(bundleIsCurrent(dir.path)).toBe(false);
    writeManifest();
    rmSync(join(dir.path, 'src', 'a.ts'));
    expect(bundleIsCurrent(dir.path)).toBe(false);
  });
});
