import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { framewise } from './runFramewise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBatch, repoRoot, requireFixtures, tempDir } from './fixturePaths';

const bin = join(repoRoot, 'bin', 'framewise.mjs');
let dir: { path: string; remove: () => void };

beforeAll(() => {
  requireFixtures();
  dir = tempDir('cli');
});
afterAll(() => dir.remove());

describe('framewise CLI', () => {
  it('prints help', async () => {
    const result = await framewise(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/framewise import <folder>/);
    expect(result.stdout).toMatch(/framewise probe <video>/);
    expect(result.stdout).toMatch(/framewise serve/);
    // From the bundle: the sources' tsx fallback would say so here.
    expect(result.stderr).toBe('');
  });

  it('runs from the TypeScript sources through tsx in a source checkout', async () => {
    const result = await framewise(['probe', join(fixtureBatch, 'cfr30.mp4'), '--json'], {
      FRAMEWISE_CLI_FROM_SOURCE: '1',
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ codecFamily: 'h264', frameCount: 90 });
  });

  it('probes a clip as JSON with one time per frame', async () => {
    const result = await framewise(['probe', join(fixtureBatch, 'cfr30.mp4'), '--json']);
    expect(result.code).toBe(0);
    const probe = JSON.parse(result.stdout) as {
      frameCount: number;
      frameTimes: number[];
      codecFamily: string;
      rotation: number;
    };
    expect(probe.codecFamily).toBe('h264');
    expect(probe.frameTimes).toHaveLength(probe.frameCount);
    expect(probe.frameTimes[0]).toBe(0);
  });

  it('answers bad input with a JSON error and a non-zero exit', async () => {
    const result = await framewise(['probe', join(fixtureBatch, 'notes.mp4'), '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'NOT_A_VIDEO' } });
    const empty = await framewise(['probe', join(fixtureBatch, 'empty.mp4'), '--json']);
    expect(JSON.parse(empty.stdout)).toMatchObject({ error: { code: 'EMPTY_FILE' } });
  });

  it('imports a folder, reporting each file, with exit code 3 when some files failed', async () => {
    const db = join(dir.path, 'import.sqlite');
    const result = await framewise(['import', fixtureBatch, '--db', db, '--json']);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as {
      files: {
        relativePath: string;
        status: string;
        code?: string;
        frameCount?: number;
        sha256?: string;
      }[];
    };
    const cfr = report.files.find((f) => f.relativePath === 'cfr30.mp4');
    expect(cfr).toMatchObject({ status: 'ok', codecFamily: 'h264', rotation: 0 });
    expect(cfr?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.files.find((f) => f.relativePath === 'truncated.mp4')).toMatchObject({
      status: 'error',
      code: 'TRUNCATED',
    });
  });

  it('serves, printing the URL with its token on the first line', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--db', join(dir.path, 'serve.sqlite')], {
      cwd: repoRoot,
    });
    try {
      const firstLine = await new Promise<string>((resolve) => {
        createInterface({ input: child.stdout }).once('line', resolve);
      });
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
      const url = new URL(firstLine);
      const reply = await fetch(`${url.origin}/api/listBatches`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${url.searchParams.get('token') ?? ''}` },
        body: '{}',
      });
      expect(await reply.json()).toEqual({ ok: true, value: [] });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('rejects a bad port with a clear message', async () => {
    const result = await framewise(['serve', '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port must be a number/);
  });
});
