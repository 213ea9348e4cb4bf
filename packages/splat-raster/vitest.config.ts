import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'splat-raster', include: ['test/**/*.test.ts'] } });
