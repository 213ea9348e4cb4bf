import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'mesh-raster', include: ['test/**/*.test.ts'] } });
