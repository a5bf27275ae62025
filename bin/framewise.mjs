#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so `npx framewise` works right after install
// with no build step; the desktop app bundles the same modules with electron-vite.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
