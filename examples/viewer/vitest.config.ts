import { defineProject } from 'vitest/config';

// The end-to-end test builds the app and drives Chromium on SwiftShader (about a minute on a
// busy 2-core machine): allow two.
export default defineProject({ test: { name: 'viewer', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } });
