/**
 * WebGPU implementation of the splat rasterizer (forward + backward).
 * - GPUBuffer API: `createRasterizer(device)` (rasterizer.ts)
 * - typed-array API: `renderWebGPU`, `renderWebGPUBackward` (render.ts)
 * - the GPU radix sort, usable alone: `encodeRadixSort` (sort/radix-sort.ts)
 */

export { createRasterizer, resolveKernels } from './rasterizer.js';
export type {
  BackwardOptions,
  ForwardOutputs,
  ForwardResult,
  ForwardTarget,
  GaussianBuffers,
  GradOutputBuffers,
  GradientBuffers,
  Rasterizer,
  RasterizerKernels,
  RasterizerOptions,
  RasterizerState,
  SyncForwardTarget,
} from './rasterizer.js';
export { getRasterizer, renderWebGPU, renderWebGPUBackward } from './render.js';
export type { WebGPURenderResult, WebGPURenderState } from './render.js';
export { encodeRadixSort, radixSortPasses } from './sort/radix-sort.js';
export type { RadixSortInput } from './sort/radix-sort.js';
export { encodeExclusiveScan } from './sort/scan.js';
export { Frame, GpuContext } from './gpu-context.js';
