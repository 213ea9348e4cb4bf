import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The viewer imports workspace packages from their TypeScript sources; Vite compiles them.
// @headsplat/core (reached through @headsplat/flame) can open a Node device through the
// `webgpu` package (Dawn); in the page that path is dead code, so it resolves to a stub.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: [{ find: /^webgpu$/, replacement: fileURLToPath(new URL('./src/node-only-stub.ts', import.meta.url)) }] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: false },
});
