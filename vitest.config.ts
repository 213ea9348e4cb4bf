import { defineConfig } from 'vitest/config';

// One entry for the whole monorepo: every package is a vitest project, tests run from
// sources (no build step). Timeouts are set per project (project configs do not inherit
// the root's test options). WebGPU (Dawn) runs in forked processes, not worker threads.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'examples',
      'examples/viewer',
      // The SwiftShader smoke subset: the same Node WebGPU stack on Chromium's SwiftShader
      // instead of lavapipe (every kernel must also run there). The package projects
      // exclude these files; run them with `pnpm exec vitest run --project swiftshader`.
      {
        extends: true,
        test: {
          name: 'swiftshader',
          include: ['packages/*/test/**/*.swiftshader.test.ts'],
          env: { HEADSPLAT_VK_DRIVER: 'swiftshader' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
    pool: 'forks',
    maxWorkers: 2,
    reporters: process.env.CI === 'true' ? ['default'] : ['default'],
  },
});
