import { resolve } from 'node:path';
import { build } from 'esbuild';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * A part of the renderer as one script for a blank page: `contents` imports it and puts it on
 * `globalThis`, so a spec or benchmark drives the real module without mounting the app or adding
 * a test hook to it.
 */
export async function bundleForPage(
  contents: string,
  what: string,
  options: { react?: boolean } = {},
): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    ...(options.react
      ? { jsx: 'automatic' as const, define: { 'process.env.NODE_ENV': '"development"' } }
      : {}),
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no bundle of ${what}.`);
  return output.text;
}

/** `import … from "<absolute path>"` for a repository file. */
export function fromRepo(path: string): string {
  return JSON.stringify(resolve(repoRoot, path));
}
