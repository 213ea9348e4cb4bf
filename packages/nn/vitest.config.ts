import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'nn', include: ['test/**/*.test.ts'] } });
