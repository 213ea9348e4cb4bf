import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'models-gagavatar', include: ['test/**/*.test.ts'] } });
