import { configDefaults, defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'models-pointavatar', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, '**/*.swiftshader.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } });
