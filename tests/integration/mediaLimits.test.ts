import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeFrameRgb, FfmpegError, ffmpegInUse } from '../../src/node/media/ffmpeg';
import { limitedCommand, MEMORY_LIMIT_MIB, toolVersion } from '../../src/node/media/mediaBinaries';
import { fixtureBatch, requireFixtures } from './fixturePaths';

const run = promisify(execFile);

describe('ffmpeg and ffprobe on contributors files run under limits', () => {
  it('runs the tool itself (exec) under the memory ceiling', async () => {
    // The wrapped command reports its own limit: `ulimit -d` in KiB.
    const tool = limitedCommand('/bin/sh', ['-c', 'ulimit -d; echo $$'], 64);
    const { stdout } = await run(tool.command, tool.args);
    expect(stdout.split('\n')[0]).toBe(String(64 * 1024));
  });

  it('refuses a tool more memory than its ceiling', async () => {
    // Allocating and touching 256 MiB under a 64 MiB data limit fails, as a decoder bomb would.
    const tool = limitedCommand(
      process.execPath,
      ['--max-old-space-size=4096', '-e', 'Buffer.alloc(256 * 1024 * 1024, 1)'],
      64,
    );
    await expect(run(tool.command, tool.args)).rejects.toThrow();
    const roomy = limitedCommand(
      process.execPath,
      ['-e', 'Buffer.alloc(16 * 1024 * 1024, 1)'],
      2048,
    );
    await expect(run(roomy.command, roomy.args)).resolves.toBeDefined();
  });

  it('kills an ffmpeg run past its time limit and says so', async () => {
    requireFixtures();
    const decode = decodeFrameRgb({
      input: join(fixtureBatch, 'cfr30.mp4'),
      seekSeconds: 0.5,
      width: 64,
      height: 48,
      timeoutMs: 1,
    });
    await expect(decode).rejects.toThrow(FfmpegError);
    await expect(decode).rejects.toThrow(/took longer than/);
  });

  it('decodes within the default limits', async () => {
    requireFixtures();
    const frame = await decodeFrameRgb({
      input: join(fixtureBatch, 'cfr30.mp4'),
      seekSeconds: 0.5,
      width: 64,
      height: 48,
    });
    expect(frame.data.byteLength).toBe(64 * 48 * 3);
    expect(MEMORY_LIMIT_MIB.decode).toBeGreaterThan(0);
  });

  it('prefers the system ffmpeg when it is newer than the bundled 4.1', async () => {
    const chosen = await ffmpegInUse();
    const system = await toolVersion('ffmpeg');
    const bundled = await toolVersion((await import('@ffmpeg-installer/ffmpeg')).default.path);
    expect(bundled?.major).toBe(4);
    if (system !== null && system.major > 4) {
      expect(chosen).toMatchObject({ path: 'ffmpeg', version: system.text });
    } else {
      expect(chosen.version).toBe(bundled?.text);
    }
  });
});
