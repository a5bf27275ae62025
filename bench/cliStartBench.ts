import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCliBundle } from '../scripts/build-cli.mjs';
import { bundleIsCurrent } from '../scripts/cliBundle.mjs';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'framewise.mjs');
const clip = join(root, 'tests', 'fixtures', 'generated', 'batch', 'cfr30.mp4');

type Command = { name: string; args: string[]; env?: NodeJS.ProcessEnv };

/**
 * CPU seconds of this process's reaped children (Linux /proc/self/stat cutime + cstime, in
 * 1/100 s): less swayed by other work on the machine than wall time. Null elsewhere.
 */
function childCpuSeconds(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5), counted from `state` (field 3) here.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Wall time of one fresh process, start to exit. */
function timeOnce(command: Command, cpu: Map<string, number>): number {
  const cpuBefore = childCpuSeconds();
  const started = performance.now();
  const result = spawnSync(process.execPath, command.args, {
    cwd: root,
    env: { ...process.env, ...command.env },
    encoding: 'utf8',
  });
  const elapsed = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${command.name} exited ${String(result.status)}: ${result.stderr}`);
  }
  const cpuAfter = childCpuSeconds();
  if (cpuBefore !== null && cpuAfter !== null) {
    cpu.set(command.name, (cpu.get(command.name) ?? 0) + (cpuAfter - cpuBefore) * 1000);
  }
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round(value);
}

/**
 * Issue #14's targets for the CLI: `framewise --help` under 150 ms and `framewise probe` of a
 * small clip under 300 ms on a quiet machine, i.e. at most 100 ms and 250 ms over a bare
 * `node -e 0` timed in the same rounds (median of 10). Each round starts every command once,
 * interleaved, so load from other work on the machine falls on all of them alike; the load
 * average, and each command's CPU time, are recorded beside the figures. The `tsx_` rows run
 * today's sources through tsx (FRAMEWISE_CLI_FROM_SOURCE=1, a source checkout's fallback); the
 * `before_` rows, when CLI_START_BEFORE names a checkout of the tree before the bundle (its
 * bin/framewise.mjs compiled every module through tsx at each start), time that CLI too.
 */
export async function runCliStartBench(rounds = 10): Promise<Record<string, number>> {
  if (!bundleIsCurrent()) await buildCliBundle();
  const fromSource = { FRAMEWISE_CLI_FROM_SOURCE: '1' };
  const commands: Command[] = [
    { name: 'node', args: ['-e', '0'] },
    { name: 'help', args: [bin, '--help'] },
    { name: 'probe', args: [bin, 'probe', clip] },
    { name: 'tsx_help', args: [bin, '--help'], env: fromSource },
    { name: 'tsx_probe', args: [bin, 'probe', clip], env: fromSource },
  ];
  const before = process.env.CLI_START_BEFORE;
  if (before !== undefined) {
    const beforeBin = join(before, 'bin', 'framewise.mjs');
    commands.push({ name: 'before_help', args: [beforeBin, '--help'] });
    commands.push({ name: 'before_probe', args: [beforeBin, 'probe', clip] });
  }
  const times = new Map<string, number[]>(commands.map((c) => [c.name, []]));
  const cpu = new Map<string, number>();
  const loadBefore = loadavg()[0] ?? 0;
  // One unmeasured round: the first start reads the files from disk into the page cache.
  for (const command of commands) timeOnce(command, new Map());
  for (let round = 0; round < rounds; round++) {
    for (const command of commands) times.get(command.name)?.push(timeOnce(command, cpu));
  }
  const loadAfter = loadavg()[0] ?? 0;
  const figures: Record<string, number> = { rounds };
  for (const { name } of commands) {
    figures[`${name}_median_ms`] = median(times.get(name) ?? []);
    const cpuMs = cpu.get(name);
    if (cpuMs !== undefined) figures[`${name}_cpu_mean_ms`] = Math.round(cpuMs / rounds);
  }
  const node = figures.node_median_ms ?? 0;
  figures.help_over_node_ms = (figures.help_median_ms ?? 0) - node;
  figures.probe_over_node_ms = (figures.probe_median_ms ?? 0) - node;
  figures.load_avg_1m_before = Math.round(loadBefore * 100) / 100;
  figures.load_avg_1m_after = Math.round(loadAfter * 100) / 100;
  return figures;
}
