#!/usr/bin/env node
// Runs a command at a lower CPU priority (nice 10 on Unix, "below normal" on Windows); its
// children inherit it. `npm test` runs the checks (typecheck, lint, format) this way beside the
// tests: the tests' browser spends much of its time waiting, and the checks use those gaps
// instead of holding the tests back from the start.
import { spawn } from 'node:child_process';
import { constants, setPriority } from 'node:os';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('usage: low-priority <command> [args…]');
  process.exit(2);
}
// Set on this process before spawning: a child inherits it from its first instruction, where
// lowering the child's afterwards would race its start.
setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
const child = spawn(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
child.on('error', (error) => {
  console.error(`low-priority: could not start ${command}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
