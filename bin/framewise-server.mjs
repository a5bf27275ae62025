#!/usr/bin/env node
// The central server runs its TypeScript sources through tsx, as the desktop CLI does, so
// `npx framewise-server serve` works right after install with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/server/cli.ts');
process.exitCode = await main(process.argv.slice(2));
