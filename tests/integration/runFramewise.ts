import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './fixturePaths';

const run = promisify(execFile);
const bin = join(repoRoot, 'bin', 'framewise.mjs');

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * Runs the `framewise` CLI as a user would, a real process (the bundle vitest's globalSetup
 * built); a non-zero exit is a result.
 */
export async function framewise(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliResult;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
