/**
 * @headsplat/splat-raster/tensor: the rasterizer bound into @headsplat/core's autograd
 * (core is an optional peer dependency: only this subpath imports it).
 */

export { rasterize } from './tensor/rasterize-op.js';
export type { Means2dGradInfo, RasterizeTensors, TensorRasterizeOptions } from './tensor/rasterize-op.js';
export type { GaussianTensors } from './tensor/inputs.js';
