#!/usr/bin/env node
// Runs the CLI bundle built at install (scripts/build-cli.mjs); a source checkout whose sources
// changed since runs them through tsx instead (scripts/cliBundle.mjs says so on stderr).
import { loadCli } from '../scripts/cliBundle.mjs';

const { main } = await loadCli('framewise', 'src/main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
