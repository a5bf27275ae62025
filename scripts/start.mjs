#!/usr/bin/env node
// `npm start`: builds the app, then opens it in Electron where the Electron binary is installed,
// or serves it to a browser on 127.0.0.1 where it is not (machines without a display or where
// Electron could not be downloaded).
import { spawn, spawnSync } from 'node:child_process';
import { electronBinary, electronSqliteBinding } from './electronRuntime.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

if (!run(npx, ['electron-vite', 'build'])) process.exit(1);

function launch(command, args, env = process.env) {
  const child = spawn(command, args, { stdio: 'inherit', env });
  child.on('exit', (code) => process.exit(code ?? 0));
  process.on('SIGINT', () => child.kill('SIGINT'));
}

const electron = electronBinary();
const binding = electron ? electronSqliteBinding() : null;
if (electron && binding) {
  launch(electron, [root], { ...process.env, FRAMEWISE_SQLITE_BINDING: binding });
} else {
  console.error(
    electron
      ? 'Could not build better-sqlite3 for Electron: serving Framewise to your browser instead.'
      : 'Electron is not installed on this machine: serving Framewise to your browser instead.',
  );
  launch(process.execPath, [join(root, 'bin', 'framewise.mjs'), 'serve', ...process.argv.slice(2)]);
}
