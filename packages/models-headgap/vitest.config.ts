import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'models-headgap', include: ['test/**/*.test.ts'] } });
