import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'models-gphm', include: ['test/**/*.test.ts'] } });
