import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The version written into every export (provenance, report): package.json's, found by walking up
 * from this module, which works from the sources (tsx, tests) and from the electron-vite bundle
 * (out/main sits inside the app folder). Read at run time because tsconfig's composite project
 * does not include package.json.
 */
export function framewiseVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const parsed: unknown = JSON.parse(readFileSync(candidate, 'utf8'));
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        'name' in parsed &&
        parsed.name === 'framewise' &&
        'version' in parsed &&
        typeof parsed.version === 'string'
      ) {
        cached = parsed.version;
        return cached;
      }
    }
    dir = dirname(dir);
  }
  throw new Error(
    'Framewise cannot find its package.json, so it cannot say which version exports.',
  );
}
