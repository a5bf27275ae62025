#!/usr/bin/env node
// The central server's CLI, loaded as bin/framewise.mjs loads the desktop one: the bundle built at
// install, or the sources through tsx in a source checkout that changed since.
import { loadCli } from '../scripts/cliBundle.mjs';

const { main } = await loadCli('framewise-server', 'src/server/cli.ts');
process.exitCode = await main(process.argv.slice(2));
