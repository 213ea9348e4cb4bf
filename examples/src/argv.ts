/**
 * The script's own arguments. `pnpm run <script> -- --flag` forwards the `--` separator
 * itself, which `parseArgs` would read as "positionals follow"; drop a leading one.
 */
export function scriptArgs(argv: readonly string[] = process.argv.slice(2)): string[] {
  return argv[0] === '--' ? argv.slice(1) : [...argv];
}
