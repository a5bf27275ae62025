import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUZZ_SEED, fuzzRuns, recordFuzz } from '../support/fuzz';
import { applyMutation, mutationOf, type Mutation } from '../support/mp4Mutations';
import { fixtureBatch, repoRoot, requireFixtures, tempDir } from './fixturePaths';
import { framewise } from './runFramewise';

/**
 * Import fuzzing: mutated copies of the MP4/MOV fixtures (bits flipped in index boxes, cut short,
 * box sizes swapped, huge entry counts), and of the WebM/Matroska ones (cut short, bits flipped;
 * those go through ffprobe under its limits), through the probe that `framewise probe` and import use.
 * Each file must end `ok` or with a typed ImportError, in a process with a bounded heap; the
 * probe runs in a child so that a hang or a crash shows as one, naming the file. Inputs that once
 * failed are kept in tests/fixtures/fuzz-corpus and probed on every run.
 */

const CORPUS = join(repoRoot, 'tests', 'fixtures', 'fuzz-corpus');
const PROBE_DIR = join(repoRoot, 'tests', 'fixtures', 'generated', 'probe');
/** The heap the probe child gets: far above a sane index, far below the machine. */
const HEAP_MIB = 512;
/** A probe that prints nothing for this long is hung (a healthy one takes milliseconds). */
const HANG_MS = 60_000;

type Outcome = {
  file: string;
  outcome: 'ok' | 'typed' | 'untyped';
  code?: string;
  message?: string;
  maxRssMiB: number;
};

function probeAll(
  files: readonly string[],
): Promise<{ outcomes: Outcome[]; exit: number | null; hungOn: string | null }> {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [join(repoRoot, 'tests', 'support', 'probeChild.ts'), ...files], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_MIB}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const outcomes: Outcome[] = [];
  let current: string | null = null;
  let hungOn: string | null = null;
  let watchdog = setTimeout(() => undefined, 0);
  const arm = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      hungOn = current ?? '(before the first file)';
      child.kill('SIGKILL');
    }, HANG_MS);
  };
  arm();
  createInterface({ input: child.stdout }).on('line', (line) => {
    arm();
    const parsed = JSON.parse(line) as { start?: string } & Outcome;
    if (parsed.start !== undefined) current = parsed.start;
    else outcomes.push(parsed);
  });
  child.stderr.resume();
  return new Promise((resolve) => {
    child.on('close', (exit) => {
      clearTimeout(watchdog);
      resolve({ outcomes, exit, hungOn });
    });
  });
}

function sources(): string[] {
  const batch = [
    'cfr30.mp4',
    'ntsc2997.mp4',
    'vfr.mp4',
    'rotated.mov',
    'hevc.mp4',
    'truncated.mp4',
    'clip.webm',
  ].map((f) => join(fixtureBatch, f));
  const probe = readdirSync(PROBE_DIR)
    .filter((f) => /\.(mp4|mov|m4a|webm|mkv)$/.test(f))
    .map((f) => join(PROBE_DIR, f));
  return [...batch, ...probe];
}

function describeMutation(m: Mutation): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

describe('import fuzzing', () => {
  let dir: { path: string; remove: () => void };
  const mutants: { path: string; source: string; mutation: Mutation }[] = [];

  beforeAll(() => {
    requireFixtures();
    dir = tempDir('import-fuzz');
    const originals = sources().map((path) => ({ path, bytes: readFileSync(path) }));
    const plan = fc.sample(
      fc
        .nat({ max: originals.length - 1 })
        .chain((i) =>
          fc.tuple(
            fc.constant(i),
            fc.array(mutationOf(originals[i]?.bytes.length ?? 1), { minLength: 1, maxLength: 3 }),
          ),
        ),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(60) },
    );
    plan.forEach(([i, mutations], n) => {
      const original = originals[i];
      if (original === undefined) return;
      const bytes = mutations.reduce<Uint8Array>((b, m) => applyMutation(b, m), original.bytes);
      const path = join(dir.path, `m${n}${extname(original.path)}`);
      writeFileSync(path, bytes);
      mutants.push({ path, source: original.path, mutation: mutations[0] as Mutation });
    });
  });

  afterAll(() => dir.remove());

  it('ends every mutated file, and every kept corpus file, ok or with a typed error, within bounded memory', async () => {
    const corpus = readdirSync(CORPUS)
      .filter((f) => !f.endsWith('.md'))
      .map((f) => join(CORPUS, f));
    const files = [...corpus, ...mutants.map((m) => m.path)];
    const started = performance.now();
    const { outcomes, exit, hungOn } = await probeAll(files);
    const failures =
      outcomes.filter((o) => o.outcome === 'untyped').length +
      (hungOn === null ? 0 : 1) +
      (exit === 0 ? 0 : 1);
    recordFuzz({
      property: 'import: mutated MP4 through the probe',
      runs: files.length,
      requests: files.length,
      failures,
      durationMs: Math.round(performance.now() - started),
      ...(failures > 0
        ? {
            error: JSON.stringify({
              hungOn,
              exit,
              untyped: outcomes.filter((o) => o.outcome === 'untyped').slice(0, 3),
            }),
          }
        : {}),
    });
    expect(hungOn, 'the probe hung on this file').toBe(null);
    expect(exit, 'the probe process crashed or ran out of memory').toBe(0);
    expect(outcomes.map((o) => o.file)).toEqual(files);
    const untyped = outcomes
      .filter((o) => o.outcome === 'untyped')
      .map((o) => {
        const mutant = mutants.find((m) => m.path === o.file);
        return `${o.file} (${mutant ? `${mutant.source} ${describeMutation(mutant.mutation)}` : 'corpus'}): ${o.message ?? ''}`;
      });
    expect(untyped).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.maxRssMiB))).toBeLessThan(HEAP_MIB + 512);
    // The damage is real: most mutants are refused, and some survive as ok (a flipped bit in a
    // field the probe does not need).
    expect(outcomes.some((o) => o.outcome === 'typed')).toBe(true);
  });

  it('imports a folder of damaged copies with framewise import: a report per file, no crash', async () => {
    const folder = tempDir('import-fuzz-batch');
    try {
      for (const mutant of mutants.slice(0, 8)) {
        writeFileSync(
          join(folder.path, mutant.path.split('/').pop() ?? 'x.mp4'),
          readFileSync(mutant.path),
        );
      }
      const db = join(folder.path, 'framewise.sqlite');
      const result = await framewise(['import', folder.path, '--db', db, '--json']);
      // 0: all imported; 3: some files failed. Anything else is a crash or a refused batch.
      expect([0, 3], result.stderr).toContain(result.code);
      const report = JSON.parse(result.stdout) as { files: { relativePath: string }[] };
      expect(report.files.length).toBe(Math.min(8, mutants.length));
    } finally {
      folder.remove();
    }
  });
});
