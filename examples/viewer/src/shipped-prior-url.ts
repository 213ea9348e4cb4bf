/**
 * URL of the HeadGAP prior shipped by @headsplat/models-headgap (about 470 KiB). Written as
 * `new URL(path, import.meta.url)`, Vite's asset form: the build copies the file into
 * `dist/assets/` and rewrites the URL; in Node it is the file's `file:` URL.
 */
export const SHIPPED_PRIOR_URL = new URL('../../../packages/models-headgap/assets/headgap-prior.safetensors', import.meta.url);
