#!/usr/bin/env node
// In the workspace (sources present) runs src/ through tsx: the workspace packages it imports
// resolve to their sources too, even after a build. A published package ships dist/ only.
import { existsSync } from 'node:fs';

const src = new URL('../src/cli.ts', import.meta.url);
if (existsSync(src)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(src.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
