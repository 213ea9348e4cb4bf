import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'flame', include: ['test/**/*.test.ts'] } });
