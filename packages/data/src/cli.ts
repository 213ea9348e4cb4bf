#!/usr/bin/env node
/** Entry of the `headsplat-data` command (see run-cli.ts). */
import { runCli } from './run-cli.js';

runCli(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
