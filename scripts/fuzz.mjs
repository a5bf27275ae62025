#!/usr/bin/env node
// `npm run fuzz`: the boundary fuzz properties of the normal suite (fixed seed), with many more
// runs each (FW_FUZZ_SCALE, default 25), and a summary in bench/results/fuzz.json: how many
// requests each property tried, how many failures it found, and how long it took. Exits non-zero
// when any property found a failure. FW_FUZZ_SEED picks another seed.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem, platform, release } from 'node:os';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = [
  'src/main/services/api/dispatch.test.ts',
  'tests/integration/loopbackHostFuzz.test.ts',
  'tests/integration/server/serverFuzz.test.ts',
  'tests/integration/importFuzz.test.ts',
];
const scale = Number(process.env.FW_FUZZ_SCALE ?? 25);
const seed = Number(process.env.FW_FUZZ_SEED ?? 17);
const summaryDir = mkdtempSync(join(tmpdir(), 'framewise-fuzz-'));

const started = performance.now();
const run = spawnSync(
  join(root, 'node_modules', '.bin', 'vitest'),
  ['run', ...FILES, '--testTimeout=0'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      FW_FUZZ_SCALE: String(scale),
      FW_FUZZ_SEED: String(seed),
      FW_FUZZ_SUMMARY_DIR: summaryDir,
    },
  },
);
const durationMs = Math.round(performance.now() - started);

const properties = readdirSync(summaryDir)
  .sort()
  .map((file) => JSON.parse(readFileSync(join(summaryDir, file), 'utf8')));
rmSync(summaryDir, { recursive: true, force: true });
const sum = (key) => properties.reduce((total, p) => total + p[key], 0);
const summary = {
  bench: 'fuzz',
  at: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  },
  seed,
  scale,
  backends: process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'],
  figures: {
    properties: properties.length,
    requests: sum('requests'),
    failures: sum('failures'),
    property_seconds: Math.round(sum('durationMs') / 100) / 10,
    total_seconds: Math.round(durationMs / 100) / 10,
    vitest_exit_code: run.status,
  },
  properties,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'fuzz.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `fuzz: ${summary.figures.requests} requests, ${summary.figures.failures} failures, ` +
    `${summary.figures.total_seconds} s → bench/results/fuzz.json`,
);
process.exit(run.status === 0 && summary.figures.failures === 0 ? 0 : 1);
