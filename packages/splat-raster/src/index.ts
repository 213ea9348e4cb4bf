/**
 * @headsplat/splat-raster: a differentiable 3D Gaussian splatting rasterizer (WebGPU
 * kernels + float64 CPU reference) on plain typed arrays / GPUBuffers, usable without the
 * rest of headsplat. The @headsplat/core autograd binding lives in the `/tensor` subpath.
 */

export type {
  Camera,
  GaussianScene,
  RenderGradOutputs,
  RenderGradients,
  RenderOptions,
  RenderOutput,
} from './types.js';

// CPU reference (float64 forward + exact backward).
export {
  ALPHA_THRESHOLD,
  MAX_ALPHA,
  TRANSMITTANCE_EPS,
  projectionLimits,
  renderCpu,
  renderCpuBackward,
} from './cpu/index.js';
export type { CpuImages, CpuRenderGradients, CpuRenderResult, CpuRenderState, ProjectionLimits } from './cpu/index.js';

// Densification statistics (3DGS screen-space gradient norms).
export { accumulateMeans2dGradNorms, createDensificationStats, meanMeans2dGradNorms } from './cpu/index.js';
export type { DensificationStats } from './cpu/index.js';

// Spherical harmonics.
export { SH_C0, SH_C1, SH_C2, SH_C3, evalSh, rgbToShDc, shBasis, shBasisVjp, shCoeffCount, shConstantsWgsl, shDcToRgb } from './sh.js';

// Validation.
export { SplatRasterInputError, validateCamera, validateRenderOptions, validateScene } from './validate.js';
export type { CameraInfo, ResolvedRenderOptions, SceneInfo } from './validate.js';

// PLY IO (INRIA 3DGS layout).
export { PlyFormatError, plyPropertyNames, readPly, writePly } from './ply.js';
export type { PlyScene } from './ply.js';

// Standalone fitting (Adam on typed arrays).
export { DEFAULT_FIT_LEARNING_RATES, cpuFitRenderer, fitGaussians, meanSquaredError, psnrFromMse } from './fit.js';
export type { FitLearningRates, FitOptions, FitRenderPass, FitRenderer, FitResult, FitStepInfo } from './fit.js';
export { Adam } from './optim/adam.js';
export type { AdamOptions } from './optim/adam.js';
export { PARAM_GROUPS, activateGaussianParams, paramGradients, toGaussianParams } from './optim/gaussian-params.js';
export type { GaussianParams, ParamGroup } from './optim/gaussian-params.js';
export { mulberry32, randomGaussiansInView } from './optim/random-init.js';
export type { RandomInitOptions } from './optim/random-init.js';

// WebGPU rasterizer (forward + backward on GPUBuffers, typed-array convenience API, GPU radix sort).
export * from './webgpu/index.js';

// Standalone WebGPU fit (Adam on GPU buffers).
export { fitGaussiansWebGPU, webgpuFitRenderer } from './optim/fit-webgpu.js';
export type { WebGPUFitOptions, WebGPUFitResult } from './optim/fit-webgpu.js';
