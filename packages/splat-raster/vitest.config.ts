import { configDefaults, defineProject } from 'vitest/config';

// *.swiftshader.test.ts run in the root `swiftshader` project (HEADSPLAT_VK_DRIVER=swiftshader).
export default defineProject({ test: { name: 'splat-raster', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, '**/*.swiftshader.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } });
