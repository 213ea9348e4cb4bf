import { defineConfig } from 'vitest/config';

// One entry for the whole monorepo: every package is a vitest project, tests run from
// sources (no build step). Timeouts are set per project (project configs do not inherit
// the root's test options). WebGPU (Dawn) runs in forked processes, not worker threads.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples'],
    pool: 'forks',
    maxWorkers: 2,
    reporters: process.env.CI === 'true' ? ['default'] : ['default'],
  },
});
