import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Which ffmpeg/ffprobe runs on contributors' files, and under what limits. Contributors' files
 * are untrusted input to a large C program, so every run gets a memory ceiling (RLIMIT_DATA, set
 * by `ulimit -d` in a `/bin/sh` that then execs the tool, so the pid killed on timeout is the
 * tool's own) and a time limit its caller enforces with SIGKILL. RLIMIT_DATA rather than
 * RLIMIT_AS: it counts memory written to, not address space reserved by thread stacks and malloc
 * arenas, so a many-core machine is not refused for reservations it never uses.
 */

/** Ceilings in MiB: a probe or a copy holds packets; an H.264 encode of 4K frames needs more. */
export const MEMORY_LIMIT_MIB = { probe: 1024, copy: 1024, decode: 2048, encode: 4096 } as const;

/** `sh` exits 127 when the tool it should exec is not there (where spawn would give ENOENT). */
export const TOOL_NOT_FOUND_EXIT = 127;

export type ToolCommand = { command: string; args: string[] };

/** `binary args` under the memory ceiling where a POSIX shell can set one, else as it is. */
export function limitedCommand(
  binary: string,
  args: readonly string[],
  memoryMiB: number,
): ToolCommand {
  if (process.platform === 'win32' || !existsSync('/bin/sh'))
    return { command: binary, args: [...args] };
  return {
    command: '/bin/sh',
    // $0 names the wrapper in `ps`; $1 is the limit in KiB; the tool and its arguments follow.
    args: [
      '-c',
      'ulimit -d "$1" || exit 126; shift; exec "$@"',
      'framewise-limit',
      String(memoryMiB * 1024),
      binary,
      ...args,
    ],
  };
}

export type ToolVersion = { major: number; minor: number; text: string };

/** `ffmpeg -version`'s first line, parsed ("ffmpeg version 5.1.9-0+deb12u1 ..."), or null. */
export async function toolVersion(binary: string): Promise<ToolVersion | null> {
  let text: string;
  try {
    ({ stdout: text } = await run(binary, ['-version'], { timeout: 10_000, windowsHide: true }));
  } catch (error) {
    // Missing, not executable, or not an ffmpeg: there is no version to prefer it for.
    if (error instanceof Error) return null;
    throw error;
  }
  const token = /version (\S+)/u.exec(text)?.[1];
  if (token === undefined) return null;
  const release = /^n?(\d+)\.(\d+)/u.exec(token);
  if (release !== null)
    return { major: Number(release[1]), minor: Number(release[2]), text: token };
  // A git snapshot ("N-47683-g0e8eb07980", the bundled 4.1 build) names no release; its
  // libavformat major does: 58 is FFmpeg 4, 59 is 5, and so on.
  const lavf = /libavformat\s+(\d+)\.\s*(\d+)/u.exec(text);
  if (lavf === null) return null;
  return { major: Number(lavf[1]) - 54, minor: 0, text: token };
}

const newer = (a: ToolVersion, b: ToolVersion) =>
  a.major > b.major || (a.major === b.major && a.minor > b.minor);

export type ChosenTool = {
  path: string;
  version: string | null;
  source: 'env' | 'system' | 'bundled';
};

const chosen = new Map<string, Promise<ChosenTool>>();

/**
 * The binary to run for `tool`: FRAMEWISE_FFMPEG / FRAMEWISE_FFPROBE when set; else the system's
 * (on PATH) when it is newer than the bundled build (4.1, 2018, without years of demuxer fixes)
 * or the bundled one is missing; else the bundled one. Chosen once per process. `bundledPath`
 * rejects when the installer package is absent.
 */
export function chooseTool(
  tool: 'ffmpeg' | 'ffprobe',
  bundledPath: () => Promise<string>,
): Promise<ChosenTool> {
  const known = chosen.get(tool);
  if (known !== undefined) return known;
  const choice = (async (): Promise<ChosenTool> => {
    const fromEnv = process.env[tool === 'ffmpeg' ? 'FRAMEWISE_FFMPEG' : 'FRAMEWISE_FFPROBE'];
    if (fromEnv !== undefined && fromEnv !== '') {
      return { path: fromEnv, version: (await toolVersion(fromEnv))?.text ?? null, source: 'env' };
    }
    const system = await toolVersion(tool);
    let bundled: string;
    try {
      bundled = await bundledPath();
    } catch (error) {
      if (system !== null) return { path: tool, version: system.text, source: 'system' };
      throw error;
    }
    const bundledVersion = await toolVersion(bundled);
    return system !== null && (bundledVersion === null || newer(system, bundledVersion))
      ? { path: tool, version: system.text, source: 'system' }
      : { path: bundled, version: bundledVersion?.text ?? null, source: 'bundled' };
  })();
  chosen.set(tool, choice);
  // A failed choice (no ffmpeg at all) is retried next time: one may be installed meanwhile.
  choice.catch(() => chosen.delete(tool));
  return choice;
}
