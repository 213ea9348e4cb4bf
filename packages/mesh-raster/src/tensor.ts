/**
 * @headsplat/mesh-raster/tensor: the rasterizer bound into @headsplat/core's autograd
 * (core is an optional peer dependency: only this subpath imports it).
 */

export { antialias, interpolate, rasterize, texture } from './tensor/ops.js';
export type { TensorAntialiasOptions, TensorRaster } from './tensor/ops.js';
