export { rasterizeCpu } from './rasterize.js';
export { rasterizeBackwardCpu } from './rasterize-backward.js';
export { interpolateCpu, interpolateBackwardCpu } from './interpolate.js';
export type { InterpolateGradients } from './interpolate.js';
export { antialiasCpu, antialiasBackwardCpu } from './antialias.js';
export type { AntialiasGradients, AntialiasOptions } from './antialias.js';
export { textureCpu, textureBackwardCpu } from './texture.js';
export type { TextureGradients, TextureOptions } from './texture.js';
