// Finds the Electron binary and a better-sqlite3 build for Electron's ABI; shared by
// `npm start` and the Electron end-to-end test.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

export function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * better-sqlite3 is built for Node (CLI, tests, loopback host). Electron has its own ABI, so the
 * desktop app loads a second build of the same version, kept beside node_modules' cache.
 */
export function electronSqliteBinding() {
  const electronVersion = JSON.parse(
    readFileSync(require.resolve('electron/package.json'), 'utf8'),
  ).version;
  const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
  const target = join(
    root,
    'node_modules',
    '.cache',
    'framewise',
    `electron-${electronVersion}-${process.arch}`,
  );
  const binding = join(target, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;
  mkdirSync(target, { recursive: true });
  cpSync(sqliteDir, target, {
    recursive: true,
    filter: (src) => !src.includes(`${sqliteDir}/build`),
  });
  const prebuilt = run(
    npx,
    [
      '--yes',
      'prebuild-install',
      '--runtime',
      'electron',
      '--target',
      electronVersion,
      '--arch',
      process.arch,
    ],
    { cwd: target },
  );
  if (!prebuilt) {
    run(
      npx,
      [
        '--yes',
        'node-gyp',
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        `--arch=${process.arch}`,
        '--dist-url=https://electronjs.org/headers',
      ],
      { cwd: target },
    );
  }
  return existsSync(binding) ? binding : null;
}
