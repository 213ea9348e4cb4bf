/**
 * @headsplat/mesh-raster: a differentiable triangle rasterizer (WebGPU kernels + float64
 * CPU reference) on plain typed arrays, usable without the rest of headsplat. The
 * @headsplat/core autograd binding lives in the `/tensor` subpath.
 */

export type { Camera, FloatArray, IndexArray, Mesh, RasterGradOutputs, RasterOutput, Texture, TextureWrap } from './types.js';

// CPU reference (float64 forward + exact backward).
export {
  antialiasBackwardCpu,
  antialiasCpu,
  interpolateBackwardCpu,
  interpolateCpu,
  rasterizeBackwardCpu,
  rasterizeCpu,
  textureBackwardCpu,
  textureCpu,
} from './cpu/index.js';
export type { AntialiasGradients, AntialiasOptions, InterpolateGradients, TextureGradients, TextureOptions } from './cpu/index.js';

// WebGPU implementation.
export { MeshRasterizerWebGPU, createMeshRasterizer } from './webgpu/index.js';

export { buildEdgeTopology } from './topology.js';
export type { EdgeTopology } from './topology.js';
export { icosphere, transformMesh } from './primitives.js';
export { MeshRasterInputError, validateCamera, validateMesh } from './validate.js';
export type { CameraInfo } from './validate.js';
