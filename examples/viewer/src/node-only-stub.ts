/**
 * Stand-in for Node-only modules reached through @headsplat/core's device code (the
 * `webgpu` npm package is Dawn for Node). In the page the browser's `navigator.gpu` is
 * used, so this is never called; if it is, say why.
 */
export function create(): never {
  throw new Error('The Node "webgpu" package (Dawn) is not available in the browser; use navigator.gpu');
}
export const globals = {};
