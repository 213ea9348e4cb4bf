/**
 * CPU reference of the splat rasterizer (float64, forward + exact backward).
 * @see ./render.ts for the pipeline and the definitions shared with the WebGPU side.
 */

export { renderCpu, renderCpuBackward } from './render.js';
export type { CpuImages, CpuRenderGradients, CpuRenderResult, CpuRenderState } from './render.js';
export {
  accumulateMeans2dGradNorms,
  createDensificationStats,
  meanMeans2dGradNorms,
} from './densification-stats.js';
export type { DensificationStats } from './densification-stats.js';
export { ALPHA_THRESHOLD, projectionLimits } from './project.js';
export type { ProjectionLimits } from './project.js';
export { MAX_ALPHA, TRANSMITTANCE_EPS } from './rasterize.js';
