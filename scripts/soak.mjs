// `npm run soak`: the long versions of the two tests `npm test` runs short — the product's 200
// kill -9s of the server mid-edit, and 200 random jumps per clip and cache mode in the player —
// for a release check or after touching the save path or the player.
import { spawnSync } from 'node:child_process';

const runs = [
  {
    env: { FRAMEWISE_CRASH_KILLS: '200' },
    command: ['npx', 'vitest', 'run', 'tests/integration/crashDurability.test.ts'],
  },
  {
    env: { FRAMEWISE_E2E_JUMPS: '200' },
    command: ['npx', 'playwright', 'test', 'tests/e2e/player.spec.ts'],
  },
];

for (const { env, command } of runs) {
  const [bin, ...args] = command;
  const result = spawnSync(bin, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
